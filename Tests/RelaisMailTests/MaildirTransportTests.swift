import Foundation
import RelaisMail
import RelaisTestSupport
import Testing

@Suite struct MaildirTransportTests {
    @Test func deliveredMessageAppearsInNewAndEqualsRendered() throws {
        let folder = TemporaryDirectory()
        let maildir = folder.file("var/maildir")
        let transport = try MaildirTransport(directory: maildir)
        #expect(transport.name == "maildir")
        for sub in ["tmp", "new", "cur"] {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: maildir + "/" + sub, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
        let message = sampleMessage()
        try transport.deliver(message)

        let delivered = try FileManager.default.contentsOfDirectory(atPath: maildir + "/new")
        #expect(delivered.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir + "/tmp").isEmpty)
        let name = try #require(delivered.first)
        // "<epoch seconds>.<random hex>.<hostname>"
        let parts = name.split(separator: ".", maxSplits: 2)
        #expect(parts.count == 3)
        #expect(Int(parts[0]).map { abs(Double($0) - Date().timeIntervalSince1970) < 60 } == true)
        #expect(parts[1].count == 32 && parts[1].allSatisfy(\.isHexDigit))
        let data = try #require(FileManager.default.contents(atPath: maildir + "/new/" + name))
        #expect(data == message.rendered())
        // Health data: readable by the daemon's user only.
        let attributes = try FileManager.default.attributesOfItem(atPath: maildir + "/new/" + name)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func manyDeliveriesFromManyThreadsGetDistinctFiles() throws {
        let folder = TemporaryDirectory()
        let transport = try MaildirTransport(directory: folder.file("maildir"))
        let failures = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            var message = sampleMessage(attachments: [])
            message.messageID = "m\(index)@relais.test"
            do { try transport.deliver(message) } catch { failures.append(index) }
        }
        #expect(failures.values.isEmpty)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.file("maildir/new"))
        #expect(files.count == 40)
        let ids = try files.map { try PythonEmail.parse(FileManager.default.contents(atPath: folder.file("maildir/new/" + $0))!).messageID ?? "" }
        #expect(Set(ids) == Set((0..<40).map { "<m\($0)@relais.test>" }))
    }

    @Test func impossibleDirectoryIsAnError() throws {
        let folder = TemporaryDirectory()
        // A regular file where the maildir should be.
        #expect(FileManager.default.createFile(atPath: folder.file("blocked"), contents: Data("x".utf8)))
        #expect(throws: MailDeliveryError.self) { try MaildirTransport(directory: folder.file("blocked")) }
        do {
            _ = try MaildirTransport(directory: folder.file("blocked/maildir"))
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("blocked"))
        }
    }

    @Test func deliveryIntoARemovedMaildirFailsAndIsNotPermanent() throws {
        let folder = TemporaryDirectory()
        let transport = try MaildirTransport(directory: folder.file("maildir"))
        try FileManager.default.removeItem(atPath: folder.file("maildir"))
        do {
            try transport.deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("tmp"))
        }
    }

    @Test func invalidRecipientIsRefusedPermanently() throws {
        let folder = TemporaryDirectory()
        let transport = try MaildirTransport(directory: folder.file("maildir"))
        var message = sampleMessage()
        message.to = MailAddress("not an address")
        do {
            try transport.deliver(message)
            Issue.record("expected an error")
        } catch {
            #expect(error.isPermanent)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("maildir/new")).isEmpty)
    }
}
