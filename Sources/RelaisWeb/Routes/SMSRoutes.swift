import Foundation
import HTTPServer
import RelaisDomain
import RelaisUseCases

extension RelaisApp {
    /// What the SMS gateway and the phones reach: the delivery reports Kannel sends back
    /// (`dlr-url`), and the short links of questionnaires that SMS carry (`/c/{code}`).
    func registerSMS(_ routes: inout Routes) {
        let app = self

        // Kannel calls `{base}/sms/dlr/{secret}/{reference}?type=%d&answer=%A` for each report.
        // The secret is compared in constant time; the access log names the route's pattern, never
        // the path that holds it. The same report twice changes nothing.
        routes.open(.get, "/sms/dlr/{secret}/{reference}", pages: false) { request in
            guard let secret = app.smsDeliverySecret, Self.constantTimeEqual(request.parameter("secret"), secret) else {
                return Response.text("forbidden\n", status: .forbidden)
            }
            guard let type = request.queryValue("type").flatMap(Int.init) else {
                return Response.text("type: expected Kannel's report type (%d)\n", status: .badRequest)
            }
            let reference = String(request.parameter("reference").prefix(100))
            let answer = request.queryValue("answer").map { String($0.filter { !$0.isNewline }.prefix(500)) }
            do {
                guard let delivery = try app.actions.recordSMSDelivery(reference: reference, type: type, detail: answer) else {
                    return Response.text("unknown reference\n", status: .notFound)
                }
                return Response.text("ok \(delivery.rawValue)\n")
            } catch is ValidationError {
                return Response.text("type: unknown report type \(type)\n", status: .badRequest)
            }
        }

        // The short link of an SMS: the letters' code in the address. It is resolved as if typed
        // on `/c` (the same throttle), then the questionnaire opens at its link.
        routes.open(.get, "/c/{code}") { request in
            try app.answerCode(String(request.parameter("code").prefix(64)), request, malformedStatus: 404, keepTypedWhenThrottled: false)
        }
    }

    /// Equal strings, compared in a time that depends only on their lengths, never on where
    /// they differ (the delivery reports' secret).
    static func constantTimeEqual(_ given: String, _ expected: String) -> Bool {
        let a = Array(given.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<b.count {
            difference |= (index < a.count ? a[index] : 0) ^ b[index]
        }
        return difference == 0
    }
}
