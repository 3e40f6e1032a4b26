/// The version reported by `relais --version`, `/healthz` and the pages.
public enum RelaisVersion {
    public static let current = "0.1.0"
}
