import FluentKit
import Foundation
import UpwardCore
import Vapor

/// What the JSON API returns. Dates are ISO 8601 strings; every shape is in the OpenAPI document.
enum APIModel {
    /// ISO 8601 in UTC, formatted without a shared formatter (formatters are not Sendable).
    enum ISO {
        static func string(from date: Date) -> String { date.formatted(.iso8601) }
    }
    static func time(_ date: Date?) -> String? { date.map { ISO.string(from: $0) } }

    struct Me: Content {
        let id: UUID
        let name: String
        let email: String
        let role: String
        let organizationAdmin: Bool
        let personId: UUID?
        init(_ user: User) {
            id = user.id!
            name = user.name
            email = user.email
            role = user.role.rawValue
            organizationAdmin = user.isAdmin && user.organizationAdmin
            personId = user.$person.id
        }
    }

    struct PersonOut: Content {
        /// The id's text (``Foundation/UUID/text``), as `UUID` would encode it but without `snprintf`:
        /// a page holds up to 100 people.
        let id: String
        let employeeId: String
        let name: String
        let email: String
        let title: String?
        let department: String
        let businessUnit: String?
        let location: String?
        let timeZone: String?
        let level: Int
        let generation: String?
        let hasLeft: Bool
        init(_ p: PeopleDirectory.Listing) {
            id = p.id.text
            employeeId = p.employeeID
            name = p.name
            email = p.email
            title = p.title
            department = p.department
            businessUnit = p.businessUnit
            location = p.location
            timeZone = p.timeZone
            level = p.level
            generation = p.generation
            hasLeft = p.hasLeft
        }
    }

    /// The people list's query: the page's filters and the page size, read in one pass.
    struct PeopleQuery: Decodable {
        let filters: PeopleListQuery.Raw
        let perPage: String?

        private enum Keys: String, CodingKey { case per_page }

        init(from decoder: any Decoder) throws {
            filters = try PeopleListQuery.Raw(from: decoder)
            perPage = try decoder.container(keyedBy: Keys.self).decodeIfPresent(String.self, forKey: .per_page)
        }
    }

    struct PeoplePage: Content {
        let items: [PersonOut]
        let page: Int
        let perPage: Int
        let total: Int

        init(_ page: Page<PeopleDirectory.Listing>) {
            items = page.items.map(PersonOut.init)
            self.page = page.metadata.page
            perPage = page.metadata.per
            total = page.metadata.total
        }

        /// A page of people as the encoder would write a ``PeoplePage``, each person's JSON taken as
        /// the kept directory wrote it (``DirectoryPeople``), or encoded now for a filtered page.
        static func response(_ page: Page<PeopleDirectory.Listing>) throws -> Response {
            let encoder = try ContentConfiguration.global.requireEncoder(for: .json)
            var headers = HTTPHeaders()
            var body = ByteBufferAllocator().buffer(capacity: 80 + 400 * page.items.count)
            body.writeStaticString("{\"items\":[")
            for (index, item) in page.items.enumerated() {
                if index > 0 { body.writeStaticString(",") }
                if var json = item.json {
                    body.writeBuffer(&json)
                } else {
                    try encoder.encode(PersonOut(item), to: &body, headers: &headers)
                }
            }
            body.writeString("],\"page\":\(page.metadata.page),\"perPage\":\(page.metadata.per),\"total\":\(page.metadata.total)}")
            let response = Response(status: .ok, body: .init(buffer: body))
            response.headers.contentType = .json
            return response
        }
    }

    struct ProgramOut: Content {
        let id: UUID
        let status: String
        let name: String
        let description: String
        let focusAreas: [String]
        let cadenceDays: Int
        let startsOn: String
        let endsOn: String
        let isPilot: Bool
        let minimumLevelGap: Int
        let maximumMenteesPerMentor: Int
        let differentDepartmentOnly: Bool
        let objective: String
        let weights: [String: Double]
        let selectionMode: String
        let reviewThreshold: Double
        let requestTimeoutDays: Int
        let codeOfConduct: String
        /// The caller's part in it: manager, mentor or mentee.
        let myRole: String
        init(_ program: Program, myRole: String) {
            let s = program.settings
            id = program.id!
            status = program.status
            name = s.name
            description = s.description
            focusAreas = s.focusAreas
            cadenceDays = s.cadenceDays
            startsOn = s.startsOn.description
            endsOn = s.endsOn.description
            isPilot = s.isPilot
            minimumLevelGap = s.minimumLevelGap
            maximumMenteesPerMentor = s.maximumMenteesPerMentor
            differentDepartmentOnly = s.differentDepartmentOnly
            objective = s.objective.rawValue
            weights = s.weights.dictionary
            selectionMode = s.selectionMode.rawValue
            reviewThreshold = s.reviewThreshold
            requestTimeoutDays = s.requestTimeoutDays
            codeOfConduct = s.codeOfConduct
            self.myRole = myRole
        }
    }

    struct TransitionIn: Content { let to: String }

    struct ParticipantOut: Content {
        let id: UUID
        let personId: UUID
        let name: String
        let email: String
        let department: String
        let level: Int
        let role: String
        let accepted: Bool
        let enrolled: Bool
        let agreed: Bool
        let missing: [String]
        let ready: Bool
    }

    struct InvitationFilters: Content {
        var q: String?
        var department: String?
        var level: Int?
        var generation: String?
    }

    struct InvitationIn: Content {
        var role: String
        var people: [String]?
        var filters: InvitationFilters?
    }

    struct InvitationLinkOut: Content {
        let participantId: UUID
        let personId: UUID
        let name: String
        let email: String
        let url: String
    }

    struct ManagerIn: Content { let email: String }

    struct Skipped: Content {
        let name: String
        let reason: String
    }

    struct InvitationsOut: Content {
        let invitations: [InvitationLinkOut]
        let skipped: [Skipped]
    }

    struct ModuleOut: Content {
        let id: UUID
        let title: String
        let audience: String
        let content: String
        let html: String
        let completed: Bool?
    }

    struct RunOut: Content {
        let id: UUID
        let objective: String
        let matched: Int
        let totalScore: Double
        let proof: String
        let solverSeconds: Double
        let unmatched: [Matchmaking.Unmatched]
    }

    struct Side: Content {
        let participantId: UUID
        let name: String
        let title: String?
        let department: String
    }

    struct PairOut: Content {
        let id: UUID
        let programId: UUID
        let status: String
        let score: Double
        let reasons: [String]
        let warnings: [String]
        let locked: Bool
        let source: String
        let manualReason: String?
        let mentee: Side
        let mentor: Side
        init(_ pair: Pair, forManager: Bool) { self.init(PairCard(pair), forManager: forManager) }

        /// Warnings and a manual pairing's reason are for the program's managers only.
        init(_ card: PairCard, forManager: Bool) {
            id = card.id
            programId = card.program_id
            status = card.status
            score = card.score
            reasons = JSONText.decode(card.reasons) ?? []
            warnings = forManager ? JSONText.decode(card.warnings) ?? [] : []
            locked = card.locked
            source = card.source
            manualReason = forManager ? card.manual_reason : nil
            mentee = Side(participantId: card.mentee_id, name: card.mentee_name, title: card.mentee_title, department: card.mentee_department)
            mentor = Side(participantId: card.mentor_id, name: card.mentor_name, title: card.mentor_title, department: card.mentor_department)
        }
    }

    struct AssignIn: Content {
        let menteeId: String
        let mentorId: String
        var reason: String?
    }

    struct SwapIn: Content {
        let pair: String
        let with: String
        var reason: String?
    }

    struct LockIn: Content { let locked: Bool }
    struct ApproveOut: Content { let published: Int }
    struct NoteIn: Content { var note: String? }

    struct AuditOut: Content {
        let time: String
        let actor: String
        let action: String
        let objectType: String
        let objectId: String?
        let detail: String
    }

    struct AcceptIn: Content {
        let token: String
        var password: String?
        var name: String?
    }

    struct EnrollmentOut: Content {
        let participantId: UUID
        let role: String
        let enrolledAt: String?
        let answers: EnrollmentAnswers?
    }

    struct SuggestionOut: Content {
        let mentorId: UUID
        let name: String
        let title: String?
        let department: String
        let score: Double
        let reasons: [String]
    }

    struct RequestIn: Content { let mentorId: String }

    struct RequestOut: Content {
        let id: UUID
        let mentorId: UUID
        let status: String
        let dueAt: String
    }

    struct AnswerIn: Content { let accept: Bool }
    struct AnswerOut: Content { let pair: PairOut? }

    struct NotificationOut: Content {
        let id: UUID
        let kind: String
        let title: String
        let body: String
        let link: String?
        let createdAt: String
        let read: Bool
    }
}

extension EnrollmentAnswers: Content {}
extension EnrollmentForm.Input: Content {}
extension ProgramSettings.Input: Content {}
extension Matchmaking.Unmatched: Content {}
