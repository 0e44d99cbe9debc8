import Fluent
import Foundation
import UpwardCore
import Vapor

/// A person's delivery choices: per topic the channels wanted straight away, and their own chat webhooks.
struct DeliverySettings {
    let db: any Database
    let clock: any UpwardClock
    let hosts: [String]

    struct Choice: Sendable {
        var preferences: DeliveryPreferences
        var slackURL: String?
        var teamsURL: String?
    }

    func load(_ viewer: Viewer) async throws -> Choice {
        let setting = try await DeliverySetting.forUser(viewer.id, on: db)
        return Choice(preferences: setting?.preferences ?? .defaults, slackURL: setting?.slackURL, teamsURL: setting?.teamsURL)
    }

    /// Saves every choice at once; essential topics keep email whatever was sent.
    func save(channels: [String: [String]], slackURL: String?, teamsURL: String?, by viewer: Viewer) async throws -> Choice {
        var issues: [FieldIssue] = []
        var chosen: [String: [DeliveryChannel]] = [:]
        for (topicName, names) in channels {
            guard let topic = MessageTopic(rawValue: topicName) else {
                issues.append(
                    FieldIssue(
                        "channels.\(topicName.prefix(40))", "is not a topic; topics are \(MessageTopic.allCases.map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            var list: [DeliveryChannel] = []
            for name in names {
                guard let channel = DeliveryChannel(rawValue: name) else {
                    issues.append(FieldIssue("channels.\(topic.rawValue)", "\"\(name.prefix(40))\" is not a channel; channels are email, slack and teams"))
                    continue
                }
                if !list.contains(channel) { list.append(channel) }
            }
            chosen[topic.rawValue] = list
        }
        func webhook(_ raw: String?, _ field: String) -> String? {
            guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            if let issue = WebhookAddress.check(raw, field: field, hosts: hosts) { issues.append(issue) }
            return raw
        }
        let slack = webhook(slackURL, "slackUrl")
        let teams = webhook(teamsURL, "teamsUrl")
        for (topic, list) in chosen {
            if list.contains(.slack) && slack == nil { issues.append(FieldIssue("channels.\(topic)", "Slack needs your Slack webhook address")) }
            if list.contains(.teams) && teams == nil { issues.append(FieldIssue("channels.\(topic)", "Teams needs your Teams workflow webhook address")) }
        }
        if !issues.isEmpty { throw ValidationFailure(issues) }
        var preferences = DeliveryPreferences(channels: [:])
        for topic in MessageTopic.allCases {
            preferences.channels[topic.rawValue] =
                topic.isEssential ? [.email] + (chosen[topic.rawValue] ?? []).filter { $0 != .email } : chosen[topic.rawValue] ?? []
        }
        let setting = try await DeliverySetting.forUser(viewer.id, on: db) ?? DeliverySetting()
        setting.$user.id = viewer.id
        setting.preferencesJSON = JSONText.encode(preferences)
        setting.slackURL = slack
        setting.teamsURL = teams
        try await db.writeTransaction { db in
            try await setting.save(on: db)
            try await AuditLog(db: db, clock: clock).record(viewer, program: nil, action: "delivery.updated", object: "user", id: viewer.id)
        }
        return Choice(preferences: preferences, slackURL: slack, teamsURL: teams)
    }
}

extension Request {
    var deliverySettings: DeliverySettings { DeliverySettings(db: database, clock: upward.clock, hosts: upward.configuration.chatWebhookHosts) }
}
