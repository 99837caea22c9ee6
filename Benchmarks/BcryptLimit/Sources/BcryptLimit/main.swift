// usage: BcryptLimit [N=10] [cost=12] [cores=active processors]
// Prints every timing and a machine-readable LIMIT line: median ms of Bcrypt.verify and Bcrypt.hash, and the ideal
// logins/s (cores / verify median) and registrations/s (cores / hash median) if every core did nothing but bcrypt.
// The password is 44 ASCII bytes, the length of the base64 SHA-256 pre-hash that Gatehouse feeds to bcrypt.
import Foundation
import HummingbirdBcrypt

let args = CommandLine.arguments
let n = args.count > 1 ? Int(args[1]) ?? 10 : 10
let cost = args.count > 2 ? UInt8(args[2]) ?? 12 : 12
let cores = args.count > 3 ? Int(args[3]) ?? ProcessInfo.processInfo.activeProcessorCount
    : ProcessInfo.processInfo.activeProcessorCount
let password = "n4bQgxhGYlh3nJd0Q0PaKvNQ1wJxBvx2mXqQK3yR0s8="  // 44 bytes, like base64(SHA-256(pw))

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func timed(_ n: Int, _ body: () -> Void) -> [Double] {
    body()  // warm-up
    var out: [Double] = []
    for _ in 0..<n {
        let t0 = now()
        body()
        out.append(Double(now() - t0) / 1e6)
    }
    return out
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

let stored = Bcrypt.hash(password, cost: cost)
var ok = true
let verify = timed(n) { ok = ok && Bcrypt.verify(password, hash: stored) }
precondition(ok, "verification failed")
let hash = timed(n) { _ = Bcrypt.hash(password, cost: cost) }
let mv = median(verify), mh = median(hash)
func fmt(_ x: Double) -> String { String(format: "%.1f", x) }
print("HummingbirdBcrypt (hummingbird-auth 2.5.0), cost \(cost), N=\(n), cores=\(cores)")
print("verify ms: " + verify.map(fmt).joined(separator: " "))
print("hash   ms: " + hash.map(fmt).joined(separator: " "))
print("LIMIT verify_median_ms=\(fmt(mv)) hash_median_ms=\(fmt(mh)) "
    + "ideal_logins_per_s=\(String(format: "%.2f", Double(cores) * 1000 / mv)) "
    + "ideal_registers_per_s=\(String(format: "%.2f", Double(cores) * 1000 / mh)) cores=\(cores)")
