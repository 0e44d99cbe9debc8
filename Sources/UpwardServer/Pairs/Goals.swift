import Fluent
import Foundation
import UpwardCore
import Vapor

/// A pair's goals: both people add and update them; the program manager reads them.
struct Goals {
    let db: any Database
    let clock: any UpwardClock

    func list(_ context: PairContext) async throws -> [Goal] {
        try await Goal.query(on: db).filter(\.$pair.$id == context.pairID).sort(\.$createdAt).all()
    }

    func create(_ input: GoalDraft.Input, in context: PairContext, by viewer: Viewer) async throws -> Goal {
        _ = try context.requireParticipant("add goals")
        try context.requireWorking("add goals")
        let draft = try GoalDraft.validate(input, focusAreas: context.program.settings.focusAreas)
        let goal = Goal()
        goal.$pair.id = context.pairID
        goal.apply(draft)
        goal.createdAt = clock.now
        goal.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await goal.create(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: context.program.id, action: "goal.created", object: "goal", id: goal.id, detail: "for the \(draft.owner.rawValue)")
        }
        return goal
    }

    func find(_ id: UUID, in context: PairContext) async throws -> Goal {
        guard let goal = try await Goal.fetch(id, on: db), goal.$pair.id == context.pairID else {
            throw Abort(.notFound, reason: "No goal with id \(id.text) belongs to this pair.")
        }
        return goal
    }

    /// Replaces a goal's fields; absent fields keep their value. `clearProgress` returns the goal
    /// to progress from its milestones.
    func update(_ goal: Goal, with input: GoalDraft.Input, clearProgress: Bool = false, in context: PairContext, by viewer: Viewer) async throws -> Goal {
        _ = try context.requireParticipant("change goals")
        try context.requireWorking("change goals")
        var merged = input
        merged.title = input.title ?? goal.title
        merged.why = input.why ?? goal.why
        merged.measure = input.measure ?? goal.measure
        merged.targetDate = input.targetDate ?? goal.targetDate
        merged.focusArea = input.focusArea ?? goal.focusArea
        merged.owner = input.owner ?? goal.owner
        merged.milestones = input.milestones ?? goal.milestones
        merged.status = input.status ?? goal.status
        if input.progress == nil { merged.progress = clearProgress ? nil : goal.manualProgress }
        let draft = try GoalDraft.validate(merged, focusAreas: context.program.settings.focusAreas)
        goal.apply(draft)
        goal.updatedAt = clock.now
        try await db.writeTransaction { db in
            try await goal.save(on: db)
            try await AuditLog(db: db, clock: clock).record(
                viewer, program: context.program.id, action: "goal.updated", object: "goal", id: goal.id, detail: "status \(draft.status.rawValue)")
        }
        return goal
    }
}

extension Request {
    var goals: Goals { Goals(db: database, clock: upward.clock) }
}
