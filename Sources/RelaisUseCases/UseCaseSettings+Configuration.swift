import Foundation
import RelaisConfig
import RelaisStore

extension UseCaseSettings {
    /// What the use cases need of the installation's configuration. Links name
    /// `http.public_base_url`, else the address the daemon recorded in the data folder when it
    /// started (which `relais serve` replaces with the one it binds, through `serveLinks(at:)`).
    public init(_ configuration: Configuration) {
        self.init(timeZone: configuration.timeZone.zone, publicBaseURL: configuration.recordedLinkBaseURL,
                  questionnaireTokenDays: configuration.questionnaireTokenDays, protocolsDirectory: configuration.protocolsDir,
                  loginPolicy: LoginPolicy(maxFailures: configuration.loginMaxFailures, window: TimeInterval(configuration.loginWindowMinutes * 60)),
                  sessionIdleSeconds: TimeInterval(configuration.sessionIdleMinutes * 60))
        reducedThresholdPercent = Double(configuration.reducedThresholdPercent)
        coWindowDays = configuration.coWindowDays
        entrySlackDays = configuration.entrySlackDays
    }
}
