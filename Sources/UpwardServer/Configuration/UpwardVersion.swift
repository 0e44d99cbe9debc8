/// The version `upward` reports on `/health`.
public enum UpwardVersion {
    public static let current = "0.1.0"
}
