import Fluent
import Vapor

/// Every migration, in the order they run. One per file, each with `revert`.
enum UpwardMigrations {
    static func register(on app: Application) {
        app.migrations.add(SessionRecord.migration)
        app.migrations.add(CreatePeople())
        app.migrations.add(CreateUsers())
        app.migrations.add(CreateLoginAttempts())
        app.migrations.add(CreateSessions())
        app.migrations.add(DeleteFluentSessions())
        app.migrations.add(CreatePrograms())
        app.migrations.add(CreatePairWork())
        app.migrations.add(CreatePairHealth())
        app.migrations.add(CreateSurveys())
        app.migrations.add(CreatePulses())
        app.migrations.add(CreateRecognition())
        app.migrations.add(CreateJobLeases())
        app.migrations.add(CreateScaleIndexes())
        app.migrations.add(CreatePartialIndexes())
        app.migrations.add(CreateSurveyAnsweredPeople())
        app.migrations.add(AddMatchingRunState())
        app.migrations.add(AddSessionUser())
        app.migrations.add(AddLeaversIndex())
        app.migrations.add(AddPeoplePageIndex())
        app.migrations.add(AddParticipantOrderIndex())
        app.migrations.add(CreateDirectoryVersion())
        app.migrations.add(AddProgramFigureIndexes())
        app.migrations.add(WidenDirectoryVersion())
        app.migrations.add(WatchListedColumns())
    }
}
