import Fluent
import Foundation
import SQLKit
import UpwardCore
import Vapor

/// The program's outcomes: participation funnel, meeting adherence, self-assessed growth,
/// satisfaction, the 0-10 score and at-risk pairs; printable as a leadership report and
/// exportable as CSV, under the same anonymity rule.
struct DashboardPages: SiteController {
    func register(on router: SiteRouter) {
        router.on(.dashboard, use: dashboard)
    }

    struct Figure: Content {
        let section: String
        let label: String
        let value: String
    }

    struct Chart: Encodable {
        let title: String
        let svg: String
        let rows: [Figure]
        let note: String?
    }

    struct Page: Encodable {
        let layout: LayoutContext
        let program: ProgramSummary
        let generated: String
        let charts: [Chart]
        let atRisk: [Figure]
        let csvPath: String
        let ideasPath: String
        let storiesPath: String
        let certificates: [Figure]
        let minimum: Int
    }

    struct Query: Content { var format: String? }

    @Sendable func dashboard(req: Request) async throws -> Response {
        let viewer = try req.viewer
        let program = try await req.programs.managed(try IDParameter.parse(req, "programID"), by: viewer)
        let query = try req.query.decode(Query.self)
        if let format = query.format, !format.isEmpty, format != "csv" { throw Abort(.badRequest, reason: "format must be csv or left out.") }
        let charts = try await Self.charts(req, program: program)
        let health = try await PairHealthMonitor(db: req.database, clock: req.upward.clock).assess(program: program)
        // Only the pairs at risk are loaded with their people (not all 2,500 of a large program).
        let risky = health.filter { $0.value.status == .needsCheckIn }.map(\.key)
        let pairs = risky.isEmpty ? [] : try await Pair.query(on: req.database).filter(\.$id ~~ risky).joiningSides().all()
        for pair in pairs { try pair.takeJoinedSides() }
        let atRisk = pairs.compactMap { pair -> Figure? in
            guard let assessment = health[pair.id!], assessment.status == .needsCheckIn else { return nil }
            return Figure(
                section: "At-risk pairs", label: "\(pair.mentee.person.name) & \(pair.mentor.person.name)", value: assessment.reasons.joined(separator: "; "))
        }
        if query.format == "csv" {
            var lines = ["section,label,value"]
            for figure in charts.flatMap(\.rows) + atRisk {
                lines.append([figure.section, figure.label, figure.value].map(Self.csvField).joined(separator: ","))
            }
            let response = Response(status: .ok, body: .init(string: lines.joined(separator: "\r\n") + "\r\n"))
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "upward-outcomes.csv")
            return response
        }
        let page = Page(
            layout: try await LayoutContext.rendered(req, title: "Outcomes · \(program.name)"), program: ProgramSummary(program),
            generated: DateText.long(req.upward.clock.now, in: .current), charts: charts, atRisk: atRisk,
            csvPath: SiteRoute.dashboard.path(program.id!.text) + "?format=csv", ideasPath: SiteRoute.ideas.path(program.id!.text),
            storiesPath: SiteRoute.stories.path(program.id!.text), certificates: try await Self.certificates(req, program: program),
            minimum: req.upward.configuration.anonymity.minimum)
        return try await req.view.render("dashboard", page).encodeResponse(for: req)
    }

    /// Everyone with a certificate (a completed program, a pair that met): label is the name, value the link.
    static func certificates(_ req: Request, program: Program) async throws -> [Figure] {
        guard program.programStatus == .completed else { return [] }
        let id = try program.requireID()
        let held = try await Meeting.query(on: req.database).filter(\.$status == MeetingStatus.held.rawValue).join(
            Pair.self, on: \Meeting.$pair.$id == \Pair.$id
        )
        .filter(Pair.self, \.$program.$id == id).all().compactMap { $0.$pair.id }
        let pairs = try await Pair.query(on: req.database).filter(\.$id ~~ Array(Set(held))).with(\.$mentee) { $0.with(\.$person) }
            .with(\.$mentor) { $0.with(\.$person) }.all()
        var seen = Set<UUID>()
        return pairs.flatMap { [$0.mentor, $0.mentee] }.filter { seen.insert($0.id!).inserted }.sorted { $0.person.name < $1.person.name }.map {
            Figure(section: $0.role, label: $0.person.name, value: SiteRoute.certificate.path(id.text, $0.id!.text))
        }
    }

    /// A CSV field, quoted; a leading =, +, - or @ is neutralized so spreadsheets never run it.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func charts(_ req: Request, program: Program) async throws -> [Chart] {
        let id = try program.requireID()
        let rule = req.upward.configuration.anonymity
        var charts: [Chart] = []
        // Participation funnel.
        // Plain rows, not models: a large program has thousands of participants and pairs.
        struct PairRow: SQLRowReadable {
            let status: String
            let mentee_id: UUID
            let mentor_id: UUID

            init(row: some SQLRow) throws {
                status = try row.read("status")
                mentee_id = try row.read("mentee_id")
                mentor_id = try row.read("mentor_id")
            }
        }
        let sql = try req.database.sql()
        let participants = try await req.enrollments.subjects(of: id)
        let lists = try await req.enrollments.checklists(id, subjects: participants)
        let pairs = try await sql.select().columns("status", "mentee_id", "mentor_id").from(Pair.schema).where("program_id", .equal, id)
            .all(reading: PairRow.self)
        func people(_ statuses: [Pair.Status]) -> Int {
            let wanted = Set(statuses.map(\.rawValue))
            return Set(pairs.filter { wanted.contains($0.status) }.flatMap { [$0.mentee_id, $0.mentor_id] }).count
        }
        let funnel: [(String, Double)] = [
            ("Invited", Double(participants.count)), ("Enrolled", Double(participants.filter { $0.enrolled_at != nil }.count)),
            ("Trained", Double(lists.values.filter(\.isReady).count)), ("Matched", Double(people([.waiting, .live, .paused, .ended]))),
            ("Active", Double(people([.live, .paused]))),
            ("Completed", Double(program.programStatus == .completed ? people([.ended]) : 0)),
        ]
        charts.append(
            Chart(
                title: "Participation", svg: SVGChart.bars(funnel.map { ($0.0, $0.1) }, title: "Participation funnel"),
                rows: funnel.map { Figure(section: "Participation", label: $0.0, value: SVGChart.number($0.1)) }, note: nil))
        // Meeting adherence per month.
        struct MeetingRow: SQLRowReadable {
            let starts_at: Date
            let status: String

            init(row: some SQLRow) throws {
                starts_at = try row.read("starts_at")
                status = try row.read("status")
            }
        }
        let meetings = try await sql.raw(
            """
            SELECT m.starts_at, m.status FROM meetings m JOIN pairs p ON p.id = m.pair_id
            WHERE p.program_id = \(bind: id) AND m.starts_at < \(bind: req.upward.clock.now) AND m.status <> 'cancelled'
            """
        ).all(reading: MeetingRow.self)
        // Counted by month number (year * 12 + month), labelled `YYYY-MM` once per month.
        var byMonth: [Int: [Double]] = [:]
        for meeting in meetings {
            guard let day = CalendarDate(utcSecondsSince1970: meeting.starts_at.timeIntervalSince1970) else { continue }
            var parts = byMonth[day.year * 12 + day.month - 1] ?? [0, 0, 0]
            switch MeetingStatus(rawValue: meeting.status) {
            case .held: parts[0] += 1
            case .missed: parts[1] += 1
            default: parts[2] += 1
            }
            byMonth[day.year * 12 + day.month - 1] = parts
        }
        let months = byMonth.sorted { $0.key < $1.key }.map { month, parts in
            (label: String(format: "%04d-%02d", month / 12, month % 12 + 1), parts: parts)
        }
        if !months.isEmpty {
            charts.append(
                Chart(
                    title: "Meeting adherence",
                    svg: SVGChart.stacked(
                        months, legend: [("held", "#2f6f4e"), ("missed", "#c0392b"), ("not logged", "#b9b9b9")],
                        title: "Meetings per month: held, missed, not logged"),
                    rows: months.flatMap { key, parts in
                        let total = parts.reduce(0, +)
                        return [
                            Figure(section: "Meetings", label: "\(key) held", value: SVGChart.number(parts[0])),
                            Figure(section: "Meetings", label: "\(key) missed", value: SVGChart.number(parts[1])),
                            Figure(section: "Meetings", label: "\(key) not logged", value: SVGChart.number(parts[2])),
                            Figure(section: "Meetings", label: "\(key) adherence", value: total > 0 ? "\(Int((parts[0] / total * 100).rounded()))%" : "–"),
                        ]
                    }, note: nil))
        }
        // Goal completion, ideas and stories.
        struct GoalCount: Decodable {
            let status: String
            let count: Int
        }
        let goalCounts = try await sql.raw(
            "SELECT g.status, COUNT(*) AS count FROM goals g JOIN pairs p ON p.id = g.pair_id WHERE p.program_id = \(bind: id) GROUP BY g.status"
        ).all(decoding: GoalCount.self)
        let goalTotal = goalCounts.map(\.count).reduce(0, +)
        if goalTotal > 0 {
            let parts = GoalStatus.allCases.map { status in (status.rawValue.capitalized, Double(goalCounts.first { $0.status == status.rawValue }?.count ?? 0))
            }
            charts.append(
                Chart(
                    title: "Goal completion", svg: SVGChart.bars(parts, title: "Goals by status"),
                    rows: parts.map { Figure(section: "Goals", label: $0.0, value: SVGChart.number($0.1)) }
                        + [
                            Figure(
                                section: "Goals", label: "achieved share",
                                value:
                                    "\(Int(((parts.first { $0.0 == GoalStatus.achieved.rawValue.capitalized }?.1 ?? 0) / Double(goalTotal) * 100).rounded()))%")
                        ], note: nil))
        }
        let ideas = try await req.recognition.ideas(program: id)
        let stories = try await req.recognition.published(program: id)
        let ideaParts = IdeaStatus.allCases.map { status in (status.label, Double(ideas.filter { $0.ideaStatus == status }.count)) }
        charts.append(
            Chart(
                title: "Innovation ideas from the pairs", svg: ideas.isEmpty ? "" : SVGChart.bars(ideaParts, title: "Ideas by status"),
                rows: ideaParts.map { Figure(section: "Ideas", label: $0.0, value: SVGChart.number($0.1)) }
                    + [Figure(section: "Stories", label: "success stories published", value: String(stories.count))]
                    + ideas.filter { $0.ideaStatus != .proposed }.map { Figure(section: "Ideas", label: $0.title, value: $0.ideaStatus.label) },
                note: "Ideas the pairs raised and where they stand; stories are published only with both people's consent."))
        // Retention of the junior mentors against colleagues in the same departments and level bands.
        let juniors = Set(participants.filter { $0.enrollmentRole == .mentor && $0.accepted_at != nil }.map { $0.person_id.text })
        if !juniors.isEmpty {
            // Only the columns the comparison needs, for every person in the directory: kept while the
            // directory is unchanged (see ``DirectoryMembersCache``).
            let everyone =
                if !req.database.inTransaction, let members = req.application.directoryMembers {
                    try await members.current(on: sql)
                } else {
                    try await DirectoryMembersCache.read(on: sql)
                }
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let today = utc.dateComponents([.year, .month, .day], from: req.upward.clock.now)
            if let asOf = CalendarDate(year: today.year ?? 0, month: today.month ?? 0, day: today.day ?? 0) {
                let result = Retention.compare(participants: juniors, people: everyone, start: program.settings.startsOn, asOf: asOf)
                let shown = rule.shows(respondents: result.participants) && rule.shows(respondents: result.comparison)
                func percent(_ rate: Double) -> String { rate.isFinite ? "\(Int((rate * 100).rounded()))%" : "–" }
                charts.append(
                    Chart(
                        title: "Retention of junior mentors",
                        svg: shown
                            ? SVGChart.bars(
                                [("Mentors in the program", result.participantRate * 100), ("Comparable colleagues", result.comparisonRate * 100)],
                                title: "Still employed, percent")
                            : "",
                        rows: shown
                            ? [
                                Figure(
                                    section: "Retention", label: "mentors still employed",
                                    value: "\(result.participantsRetained) of \(result.participants) (\(percent(result.participantRate)))"),
                                Figure(
                                    section: "Retention", label: "comparable colleagues still employed",
                                    value: "\(result.comparisonRetained) of \(result.comparison) (\(percent(result.comparisonRate)))"),
                            ]
                            : [Figure(section: "Retention", label: "mentors still employed", value: "too few people to show")],
                        note:
                            "Comparison group: \(result.comparison) colleagues in the same departments and level bands, employed when the program started on \(program.settings.startsOn)."
                    ))
            }
        }
        // Self-assessed growth, satisfaction and the 0-10 score from the surveys.
        let surveys = req.surveys
        let growth = try await surveys.skillChange(program: program)
        if !growth.isEmpty {
            let shown = growth.compactMap { item in item.summary.map { (item.skill, $0) } }
            charts.append(
                Chart(
                    title: "Self-assessed growth (1-5, baseline to final)",
                    svg: shown.isEmpty
                        ? ""
                        : SVGChart.intervals(
                            shown.map {
                                (
                                    $0.0, $0.1.meanChange, $0.1.ciLow.isFinite ? $0.1.ciLow : $0.1.meanChange,
                                    $0.1.ciHigh.isFinite ? $0.1.ciHigh : $0.1.meanChange
                                )
                            },
                            axis: -2...2, title: "Mean change per skill with 95% intervals"),
                    rows: growth.map { item in
                        Figure(
                            section: "Growth", label: item.skill,
                            value: item.summary.map {
                                "change \(SVGChart.number($0.meanChange)) (95% \(SVGChart.number($0.ciLow)) to \(SVGChart.number($0.ciHigh))), n \($0.n), p \(String(format: "%.3f", $0.wilcoxonP))"
                            } ?? "too few answers to show")
                    }, note: "Both sides rate themselves; the interval is the paired t interval."))
        }
        let all = try await surveys.list(program: id)
        for survey in all.reversed() where survey.questions.contains(where: { $0.id == "satisfaction" }) {
            let results = try await surveys.results(survey)
            if let satisfaction = results.first(where: { $0.question.id == "satisfaction" }) {
                if let distribution = satisfaction.distribution {
                    charts.append(
                        Chart(
                            title: "Satisfaction (\(survey.title.lowercased()))",
                            svg: SVGChart.bars(distribution.map { ("\($0.value) of 5", Double($0.count)) }, title: "Satisfaction answers"),
                            rows: distribution.map { Figure(section: "Satisfaction", label: "\($0.value) of 5", value: String($0.count)) }
                                + [Figure(section: "Satisfaction", label: "mean", value: satisfaction.mean.map { String(format: "%.2f", $0) } ?? "–")],
                            note: "\(satisfaction.respondents) answers."))
                } else {
                    charts.append(
                        Chart(
                            title: "Satisfaction", svg: "", rows: [Figure(section: "Satisfaction", label: survey.title, value: "too few answers to show")],
                            note: "Fewer than \(rule.minimum) answers."))
                }
            }
            if let partner = results.first(where: { $0.question.id == "partnerGrowth" }) {
                charts.append(
                    Chart(
                        title: "Growth as the partner sees it (1-5)", svg: "",
                        rows: [
                            Figure(
                                section: "Partner view", label: "mean rating of the partner's growth",
                                value: partner.mean.map { "\(String(format: "%.2f", $0)) (\(partner.respondents) answers)" } ?? "too few answers to show")
                        ], note: "Each person rates how much their partner grew: the mentors' view of the leaders and the other way round."))
            }
            if let recommend = results.first(where: { $0.question.id == "recommend" }) {
                charts.append(
                    Chart(
                        title: "Would recommend (0-10)", svg: "",
                        rows: [
                            Figure(
                                section: "Recommend", label: "promoters minus detractors",
                                value: recommend.netScore.map { SVGChart.number($0.rounded()) } ?? "too few answers to show")
                        ], note: "Promoters answer 9-10, detractors 0-6."))
            }
            break
        }
        return charts
    }
}
