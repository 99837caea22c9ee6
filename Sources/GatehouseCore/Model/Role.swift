/// The five-tier role hierarchy, highest first: `super_admin` (rank 4) > `admin` (3) > `moderator` (2) > `user` (1) > `guest` (0).
///
/// Comparison follows rank, so `Role.admin > Role.user`. Raw values are the wire and storage names.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    case guest
    case user
    case moderator
    case admin
    case superAdmin = "super_admin"

    /// Rank of the role: 0 (guest) to 4 (super_admin).
    public var rank: Int {
        switch self {
        case .guest: 0
        case .user: 1
        case .moderator: 2
        case .admin: 3
        case .superAdmin: 4
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}
