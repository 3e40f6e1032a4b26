import Foundation
import RelaisTestSupport

/// The value of `name=` in the response's Set-Cookie headers.
func cookie(_ name: String, in response: TestResponse) -> String? {
    for header in response.headers("Set-Cookie") {
        let pair = header.split(separator: ";").first ?? ""
        if pair.hasPrefix("\(name)=") { return String(pair.dropFirst(name.count + 1)) }
    }
    return nil
}

/// The hidden `_csrf` field of a page.
func csrfField(in html: String) -> String? {
    guard let range = html.range(of: #"name="_csrf" value="[^"]+""#, options: .regularExpression) else { return nil }
    return String(html[range].split(separator: "\"")[3])
}

/// A browser-like login: GET the form (cookie + field), POST it; returns the session cookie.
func logIn(_ daemon: Daemon, name: String, password: String) throws -> (status: Int, session: String?, location: String?) {
    let form = try TestHTTP.get(port: daemon.port, "/login")
    let token = csrfField(in: form.text) ?? ""
    let loginCookie = cookie("relais_login_csrf", in: form) ?? ""
    let response = try TestHTTP.postForm(port: daemon.port, "/login", [("_csrf", token), ("name", name), ("password", password)],
                                         headers: [("Cookie", "relais_login_csrf=\(loginCookie)")])
    return (response.status, cookie("relais_session", in: response), response.header("Location"))
}

/// Issues a bearer token through the CLI for a new account of that role.
func token(_ daemon: Daemon, user: String, role: String) throws -> String {
    let added = try daemon.cli(["user", "add", user, "--role", role], stdin: "password for \(user)\n")
    guard added.status == 0 else { throw TestHTTPError(description: "user add failed: \(added.stderr)") }
    let issued = try daemon.cli(["token", "issue", user])
    guard issued.status == 0 else { throw TestHTTPError(description: "token issue failed: \(issued.stderr)") }
    return issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
