import FluentKit

// Fluent finds a model's properties by reflection (`Mirror`) each time it needs them, several times
// for every statement that reads or writes a model: it was the largest single cost of a write
// (a fifth of the server's CPU under the load benchmark's write mix). Each model lists them here
// instead, as `Fields.properties` allows, in the order they are declared. `ModelPropertiesTests`
// checks every list against reflection, so a property added to a model and not here fails the tests.

/// Every model of the app, for the check above.
enum UpwardModels {
    static let all: [any Model.Type] = [
        APIToken.self, AuditEntry.self, CalendarFeed.self, Circle.self, Concern.self, ConcernNote.self,
        Delivery.self, DeliverySetting.self, Exclusion.self, Goal.self, Idea.self, LoginAttempt.self,
        MatchRequest.self, MatchingRun.self, Meeting.self, Notification.self, Pair.self, PairNote.self,
        Participant.self, Person.self, Program.self, ProgramManager.self, StoredSession.self, Story.self,
        Survey.self, SurveyAnswered.self, SurveyComments.self, SurveyResponse.self, SurveyTally.self, TrainingCompletion.self,
        TrainingModule.self, User.self,
    ]
}

extension APIToken {
    var properties: [any AnyProperty] { [$id, $user, $name, $tokenHash, $createdAt, $lastUsedAt, $revokedAt] }
}

extension AuditEntry {
    var properties: [any AnyProperty] { [$id, $programID, $actorUserID, $actor, $action, $objectType, $objectID, $detail, $createdAt] }
}

extension CalendarFeed {
    var properties: [any AnyProperty] { [$id, $user, $tokenHash, $createdAt] }
}

extension Circle {
    var properties: [any AnyProperty] { [$id, $program, $audience, $title, $createdAt] }
}

extension Concern {
    var properties: [any AnyProperty] { [$id, $program, $pair, $raisedBy, $category, $body, $status, $createdAt, $updatedAt] }
}

extension ConcernNote {
    var properties: [any AnyProperty] { [$id, $concern, $authorUserID, $authorName, $body, $createdAt] }
}

extension Delivery {
    var properties: [any AnyProperty] {
        [
            $id, $notificationID, $channel, $address, $kind, $title, $body, $link, $status, $attempts, $nextAttemptAt, $claimedBy, $claimedAt, $sentAt,
            $lastError, $createdAt,
        ]
    }
}

extension DeliverySetting {
    var properties: [any AnyProperty] { [$id, $user, $preferencesJSON, $slackURL, $teamsURL, $lastDigestAt] }
}

extension Exclusion {
    var properties: [any AnyProperty] { [$id, $program, $mentee, $mentor, $reason, $note, $byParticipantID, $createdAt] }
}

extension Goal {
    var properties: [any AnyProperty] {
        [$id, $pair, $owner, $title, $why, $measure, $targetDate, $focusArea, $milestonesJSON, $manualProgress, $status, $createdAt, $updatedAt]
    }
}

extension Idea {
    var properties: [any AnyProperty] { [$id, $program, $pair, $raisedBy, $title, $description, $status, $createdAt, $updatedAt] }
}

extension LoginAttempt {
    var properties: [any AnyProperty] { [$id, $email, $address, $succeeded, $attemptedAt] }
}

extension MatchRequest {
    var properties: [any AnyProperty] { [$id, $program, $mentee, $mentor, $choicesJSON, $position, $status, $requestedAt, $dueAt, $answeredAt] }
}

extension MatchingRun {
    var properties: [any AnyProperty] { [$id, $program, $objective, $totalScore, $matched, $unmatchedJSON, $proof, $solverSeconds, $createdAt, $solverState] }
}

extension Meeting {
    var properties: [any AnyProperty] {
        [
            $id, $pair, $circle, $startsAt, $durationMinutes, $timeZone, $location, $agenda, $status, $summary, $followUps, $sequence, $createdAt, $updatedAt,
            $reminderSentAt, $unloggedSentAt,
        ]
    }
}

extension Notification {
    var properties: [any AnyProperty] { [$id, $person, $kind, $title, $body, $link, $createdAt, $readAt, $routedAt, $inDigest] }
}

extension Pair {
    var properties: [any AnyProperty] {
        [
            $id, $program, $mentee, $mentor, $score, $reasonsJSON, $warningsJSON, $status, $locked, $source, $manualReason, $createdAt, $publishedAt, $liveAt,
            $endedAt, $health, $closingProposedAt,
        ]
    }
}

extension PairNote {
    var properties: [any AnyProperty] { [$id, $pair, $author, $visibility, $body, $createdAt] }
}

extension Participant {
    var properties: [any AnyProperty] {
        [$id, $program, $person, $user, $role, $invitationHash, $invitationExpiresAt, $invitedAt, $acceptedAt, $answersJSON, $enrolledAt, $agreedAt]
    }
}

extension Person {
    var properties: [any AnyProperty] {
        [
            $id, $employeeID, $email, $name, $title, $department, $businessUnit, $location, $timeZone, $manager, $managerEmployeeID, $managementChain,
            $chainDepth, $level, $searchKey, $hireDate, $generation, $terminationDate, $createdAt, $updatedAt,
        ]
    }
}

extension Program {
    var properties: [any AnyProperty] {
        [
            $id, $name, $description, $focusAreasJSON, $cadenceDays, $startsOn, $endsOn, $isPilot, $minimumLevelGap, $maximumMenteesPerMentor,
            $differentDepartmentOnly, $objective, $weightsJSON, $selectionMode, $reviewThreshold, $requestTimeoutDays, $codeOfConduct, $status, $clonedFrom,
            $createdAt, $updatedAt,
        ]
    }
}

extension ProgramManager {
    var properties: [any AnyProperty] { [$id, $program, $user] }
}

extension StoredSession {
    var properties: [any AnyProperty] { [$id, $tokenHash, $data, $expiresAt, $userID, $createdAt] }
}

extension Story {
    var properties: [any AnyProperty] { [$id, $program, $pair, $title, $body, $menteeConsentAt, $mentorConsentAt, $createdAt, $updatedAt] }
}

extension Survey {
    var properties: [any AnyProperty] { [$id, $program, $phase, $title, $anonymous, $audience, $questionsJSON, $createdAt, $closedAt, $pairID, $window] }
}

extension SurveyAnswered {
    var properties: [any AnyProperty] { [$id, $surveyID, $peopleJSON] }
}

extension SurveyComments {
    var properties: [any AnyProperty] { [$id, $surveyID, $question, $commentsJSON] }
}

extension SurveyResponse {
    var properties: [any AnyProperty] { [$id, $survey, $person, $role, $answersJSON, $createdAt] }
}

extension SurveyTally {
    var properties: [any AnyProperty] { [$id, $surveyID, $question, $value, $count] }
}

extension TrainingCompletion {
    var properties: [any AnyProperty] { [$id, $participant, $module, $completedAt] }
}

extension TrainingModule {
    var properties: [any AnyProperty] { [$id, $program, $title, $content, $audience, $position] }
}

extension User {
    var properties: [any AnyProperty] { [$id, $email, $name, $passwordHash, $role, $person, $organizationAdmin, $lastLoginAt, $createdAt] }
}
