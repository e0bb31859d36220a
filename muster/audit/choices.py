"""The audit vocabulary: every action an audit entry may name, with its label.

`record_events` refuses an action that is not listed here, so the trail never
mixes "create" with "training.create", and screens show the labels, not the codes.
Values are `<noun>.<verb>`; a new kind of change gets a new member here first.
"""

from django.db import models


class Action(models.TextChoices):
    TRAINING_CREATE = "training.create", "Training recorded"
    TRAINING_CORRECT = "training.correct", "Training corrected"
    TRAINING_VOID = "training.void", "Training voided"
    TRAINING_APPROVE = "training.approve", "Self-report approved"
    TRAINING_REJECT = "training.reject", "Self-report rejected"

    QUALIFICATION_CREATE = "qualification.create", "Qualification recorded"
    QUALIFICATION_CORRECT = "qualification.correct", "Qualification corrected"
    QUALIFICATION_VOID = "qualification.void", "Qualification voided"

    EXEMPTION_CREATE = "exemption.create", "Exemption entered"
    EXEMPTION_PROPOSE = "exemption.propose", "Exemption proposed"
    EXEMPTION_CHANGE = "exemption.change", "Exemption changed"
    EXEMPTION_APPROVE = "exemption.approve", "Exemption approved"
    EXEMPTION_REJECT = "exemption.reject", "Exemption rejected"

    PERSON_CREATE = "person.create", "Person added"
    PERSON_CHANGE = "person.change", "Person changed"
    LICENSE_CREATE = "license.create", "License added"
    LICENSE_CHANGE = "license.change", "License changed"
    EMPLOYMENT_CREATE = "employment.create", "Employment started"
    EMPLOYMENT_CHANGE = "employment.change", "Employment changed"

    AGENCY_CREATE = "agency.create", "Agency added"
    AGENCY_CHANGE = "agency.change", "Agency changed"

    TRANSFER_REQUEST = "transfer.request", "Transfer requested"
    TRANSFER_APPROVE = "transfer.approve", "Transfer approved"
    TRANSFER_DECLINE = "transfer.decline", "Transfer declined"
    TRANSFER_ACCEPT = "transfer.accept", "Transfer accepted"
    TRANSFER_WITHDRAW = "transfer.withdraw", "Transfer withdrawn"

    EXPORT_DOWNLOAD = "export.download", "Export downloaded"
    EXPORT_REQUEST = "export.request", "Export requested"
    EXPORT_DONE = "export.done", "Export ready"
    MANDATE_DRAFT_SAVE = "mandate-draft.save", "Mandate draft saved"
    WHAT_IF_RUN = "what-if.run", "What-if evaluated"
    AUDIT_EXPORT = "audit.export", "Audit trail exported"
    AUDIT_BASELINE = "audit.baseline", "Record state accepted (baseline)"

    SIGNIN = "account.signin", "Signed in"
    SIGNIN_FAILED = "account.signin-failed", "Sign-in failed"
    SIGNIN_LOCKED = "account.signin-locked", "Sign-in locked out"
    SIGNOUT = "account.signout", "Signed out"
    PASSWORD_CHANGE = "account.password-change", "Password changed"
    PASSWORD_RESET = "account.password-reset", "Password reset"
    USER_DEACTIVATE = "account.deactivate", "User deactivated"
    USER_REACTIVATE = "account.reactivate", "User reactivated"
    MFA_ENROL = "mfa.enrol", "Authenticator added"
    MFA_REMOVE = "mfa.remove", "Authenticator removed"
    MFA_RESET = "mfa.reset", "Recovery codes reset"
    MFA_RECOVERY_CODE_USED = "mfa.recovery-code-used", "Recovery code used"
    MFA_FAILED = "mfa.failed", "Second factor failed"
    ROLE_GRANT = "role.grant", "Role granted"
    ROLE_REVOKE = "role.revoke", "Role revoked"
    TOKEN_CREATE = "token.create", "API token issued"
    TOKEN_REVOKE = "token.revoke", "API token revoked"
    TOKEN_USE = "token.use", "API token used"

    LEARNING_ENROLL = "learning.enroll", "Enrolled in a course"
    LEARNING_COMPLETE = "learning.complete", "Online course completed"
    CERTIFICATE_REVOKE = "certificate.revoke", "Certificate revoked"
    ISSUER_KEY_CREATE = "issuer-key.create", "Badge signing key created"
    ISSUER_KEY_RETIRE = "issuer-key.retire", "Badge signing key retired"

    LRS_CLIENT_CREATE = "lrs-client.create", "xAPI client created"
    LRS_CLIENT_REVOKE = "lrs-client.revoke", "xAPI client revoked"
    XAPI_ACTIVITY_MAP = "xapi-activity.map", "xAPI activity mapped"
    XAPI_FORWARD_SET = "xapi-forward.set", "xAPI forwarding changed"

    COURSE_CREATE = "course.create", "Course created"
    COURSE_UPDATE = "course.update", "Course changed"
    COURSE_PUBLISH = "course.publish", "Course published"
    COURSE_UNPUBLISH = "course.unpublish", "Course unpublished"
    LESSON_CREATE = "lesson.create", "Lesson added"
    LESSON_UPDATE = "lesson.update", "Lesson changed"
    LESSON_REMOVE = "lesson.remove", "Lesson removed"
    QUESTION_CREATE = "question.create", "Question added"
    QUESTION_UPDATE = "question.update", "Question changed"
    QUESTION_RETIRE = "question.retire", "Question retired"
    APPROVAL_CREATE = "approval.create", "Course approval added"
    APPROVAL_UPDATE = "approval.update", "Course approval changed"
    ASSET_CREATE = "asset.create", "Lesson file added"
    PACKAGE_IMPORT = "package.import", "Content package imported"
    CMI5_WAIVE = "cmi5.waive", "cmi5 AU waived"
    LTI_PLATFORM_REGISTER = "lti-platform.register", "LTI platform registered"
    LTI_PLATFORM_UPDATE = "lti-platform.update", "LTI platform changed"
    LTI_KEY_ROTATE = "lti-key.rotate", "LTI signing key added"
    LTI_KEY_RETIRE = "lti-key.retire", "LTI signing key retired"
    LTI_LAUNCH = "lti.launch", "Launched from an LMS"
    LTI_IDENTITY_LINK = "lti-identity.link", "LMS account linked to a person"
    LTI_USER_CREATE = "lti-user.create", "Account made for an LMS learner"
    LTI_SCORE_SEND = "lti-score.send", "Score sent to an LMS"
