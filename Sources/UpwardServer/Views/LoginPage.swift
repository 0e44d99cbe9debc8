struct LoginPage: Encodable {
    let layout: LayoutContext
    var email: String = ""
    var next: String = ""
    var error: String?
    var action = SitePath.login
}
