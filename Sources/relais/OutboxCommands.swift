import ArgumentParser
import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore
import RelaisUseCases
import RelaisWeb

/// `relais send-due`: one sweep of the outbox, as the daemon's sender loop does every minute.
struct SendDue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-due",
        abstract: "Send the messages that are due, once, and print what was done as JSON.",
        discussion: """
            With --now, the sweep runs as if at that instant: sending hours, due messages, link
            expiry and the daily staff digest all follow that clock. For operators (catching up
            after an outage) and tests; the daemon runs the same sweep by itself.
            """)

    @OptionGroup var installation: InstallationOptions

    @Option(help: ArgumentHelp("The instant to sweep at, ISO 8601 with an offset (2026-10-20T09:00:00+02:00 or …Z); now when omitted.",
                               valueName: "instant"))
    var now: String?

    func run() async throws {
        let instant: Date
        if let now {
            do throws(RelaisDomain.ValidationError) { instant = try Input.instant(now, field: "--now") } catch {
                throw Refused("--now: \(error.fields["--now"].map(ReasonText.english) ?? "") (an ISO 8601 instant with an offset, such as 2026-10-20T09:00:00Z), got '\(now)'")
            }
        } else {
            instant = Date()
        }
        let configuration = try installation.load()
        try ConfigurationLoader.validate(configuration)
        let store = try installation.openStore(configuration)
        let instruments = try loadInstruments(configuration)
        var logger = Logger(label: "relais.sender")
        logger.logLevel = .warning
        let sender = try makeSender(configuration, store: store, instruments: instruments, logger: logger)
        let report = try sender.sweep(at: instant, limit: 10_000)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

/// `relais outbox list`.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Look at the messages Relais sends.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List outbox messages as JSON, latest due first.")

        @OptionGroup var installation: InstallationOptions

        @Option(help: ArgumentHelp("Only this state: \(OutboxState.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "state"))
        var state: String?

        @Option(help: ArgumentHelp("Only this kind: \(MessageKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
        var kind: String?

        @Option(help: ArgumentHelp("Only the messages of this participant (id).", valueName: "id"))
        var participant: String?

        @Option(help: ArgumentHelp("Only this channel: \(MessageChannel.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "channel"))
        var channel: String?

        @Option(help: "At most this many messages.")
        var limit = 200

        func run() throws {
            let state = try self.state.map { raw in
                guard let value = OutboxState(rawValue: raw) else { throw Refused("--state: unknown state '\(raw)'") }
                return value
            }
            let kind = try self.kind.map { raw in
                guard let value = MessageKind(rawValue: raw) else { throw Refused("--kind: unknown kind '\(raw)'") }
                return value
            }
            let channel = try self.channel.map { raw in
                guard let value = MessageChannel(rawValue: raw) else { throw Refused("--channel: unknown channel '\(raw)' (email, sms or phone)") }
                return value
            }
            guard (1...100_000).contains(limit) else { throw Refused("--limit: must be from 1 to 100000") }
            let configuration = try installation.load()
            let messages = try installation.actions(configuration, protocols: false)
                .messages(state: state, kind: kind, participantID: participant, channel: channel, limit: limit, by: .commandLine("outbox list"))
            print(String(decoding: try JSONBody.data(messages.map(MessageBody.init)), as: UTF8.self))
        }
    }
}
