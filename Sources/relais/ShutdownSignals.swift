import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT, trapped synchronously.
///
/// Why not ServiceLifecycle's signal trapping: on Linux its Dispatch signal sources are registered
/// asynchronously, so a signal arriving just after "listening on" was printed could still kill the
/// process with the default action. A plain handler installed before that line closes the gap; it
/// only writes the signal number to a pipe (async-signal-safe), and a thread turns it into a call.
enum ShutdownSignals {
    nonisolated(unsafe) private static var pipeWriteEnd: Int32 = -1

    static func trap(_ onSignal: @escaping @Sendable (Int32) -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("cannot create the signal pipe: errno \(errno)") }
        pipeWriteEnd = ends[1]
        let readEnd = ends[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 { onSignal(Int32(byte)) } else if count < 0 && errno == EINTR { continue } else { return }
            }
        }
        let handler: @convention(c) (Int32) -> Void = { signal in
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(ShutdownSignals.pipeWriteEnd, &byte, 1)
        }
        _ = signal(SIGTERM, handler)
        _ = signal(SIGINT, handler)
    }
}
