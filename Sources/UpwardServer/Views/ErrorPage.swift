struct ErrorPage: Encodable {
    let layout: LayoutContext
    let status: Int
    let heading: String
    let reason: String
}
