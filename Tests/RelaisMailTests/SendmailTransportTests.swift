import Foundation
import RelaisMail
import RelaisTestSupport
import Testing

/// Writes an executable shell script (a stand-in for msmtp) and returns its path.
/// Written with O_CLOEXEC and closed before it runs: a script whose write descriptor leaked into
/// a process forked meanwhile by another test would fail to run with ETXTBSY ("text file busy").
func makeScript(in folder: TemporaryDirectory, name: String = "fake-sendmail", _ body: String) throws -> String {
    let path = folder.file(name)
    let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    close(descriptor)
    guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    return path
}

@Suite struct SendmailTransportTests {
    @Test func commandReceivesMessageOnStdinAndRecipientAfterDoubleDash() throws {
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, """
            for a in "$@"; do printf '%s\\n' "$a"; done > '\(folder.file("args"))'
            cat > '\(folder.file("stdin"))'
            """)
        let transport = SendmailTransport(command: "\(script)  --read-envelope-from\t-i", timeoutSeconds: 10)
        #expect(transport.name == "sendmail")
        let message = sampleMessage()
        try transport.deliver(message)
        let args = try String(contentsOfFile: folder.file("args"), encoding: .utf8)
        #expect(args == "--read-envelope-from\n-i\n--\nmarie.dupont@example.org\n")
        #expect(FileManager.default.contents(atPath: folder.file("stdin")) == message.rendered())
    }

    @Test func largeMessageToACommandThatDoesNotReadIsNotASignal() throws {
        // The command exits at once without reading: writing the rest must give EPIPE, never a
        // SIGPIPE that would kill the test process (and the daemon).
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, "exit 0")
        var message = sampleMessage()
        message.attachments = [MailAttachment(filename: "big.bin", contentType: "application/octet-stream",
                                              data: Data(repeating: 0x41, count: 4_000_000))]
        try SendmailTransport(command: script, timeoutSeconds: 10).deliver(message)
    }

    @Test func failingCommandGivesItsStandardError() throws {
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, """
            cat > /dev/null
            echo "msmtp: recipient address marie.dupont@example.org not accepted by the server" >&2
            echo "msmtp: server message: 451 4.3.0 Try again later  " >&2
            exit 75
            """)
        do {
            try SendmailTransport(command: script, timeoutSeconds: 10).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("exited with status 75"))
            #expect(error.reason.contains("not accepted by the server"))
            #expect(error.reason.hasSuffix("451 4.3.0 Try again later"))
        }
    }

    @Test func noSuchUserExitStatusIsPermanentAndStderrIsCapped() throws {
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, """
            cat > /dev/null
            i=0; while [ $i -lt 200 ]; do printf 'refused refused ' >&2; i=$((i+1)); done
            exit 67
            """)
        do {
            try SendmailTransport(command: script, timeoutSeconds: 10).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(error.isPermanent)
            #expect(error.reason.contains("refused refused"))
            #expect(error.reason.count < 650)
        }
    }

    @Test func missingExecutableIsNamed() throws {
        for command in ["/nonexistent/bin/msmtp -t", "relais-no-such-sendmail-command --x"] {
            do {
                try SendmailTransport(command: command, timeoutSeconds: 5).deliver(sampleMessage())
                Issue.record("expected an error")
            } catch {
                let name = String(command.split(separator: " ")[0])
                #expect(error.reason.contains("'\(name)' not found"))
                #expect(!error.isPermanent)
            }
        }
    }

    @Test func hangingCommandIsKilledAtTheTimeout() throws {
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, "echo starting >&2\nexec sleep 30")
        let start = Date()
        do {
            try SendmailTransport(command: script, timeoutSeconds: 1).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("did not finish within 1 s"))
            #expect(!error.isPermanent)
        }
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func invalidRecipientNeverReachesTheCommand() throws {
        let folder = TemporaryDirectory()
        let script = try makeScript(in: folder, "touch '\(folder.file("ran"))'; cat >/dev/null")
        var message = sampleMessage()
        message.to = MailAddress("-oQ/tmp/evil@example.org")
        #expect(throws: MailDeliveryError.self) { try SendmailTransport(command: script, timeoutSeconds: 5).deliver(message) }
        message.to = MailAddress("x@example.org\nBcc: y@example.org")
        #expect(throws: MailDeliveryError.self) { try SendmailTransport(command: script, timeoutSeconds: 5).deliver(message) }
        #expect(!FileManager.default.fileExists(atPath: folder.file("ran")))
    }
}
