"""Import every table so that SQLModel.metadata knows the whole schema (Alembic, tests)."""

from inspection.api.models import PhotoUpload
from inspection.api.models import SyncReceipt
from inspection.assignments.models import AssignedCase
from inspection.assignments.models import AssignmentBatch
from inspection.assignments.models import CaseEvent
from inspection.assignments.models import CaseEvidence
from inspection.auth.models import LoginThrottle
from inspection.auth.models import PasswordReset
from inspection.auth.models import User
from inspection.campaigns.models import Campaign
from inspection.campaigns.models import Holiday
from inspection.campaigns.models import RecurringPlan
from inspection.checklists.models import ChecklistItem
from inspection.checklists.models import ChecklistSection
from inspection.checklists.models import ChecklistTemplate
from inspection.checklists.models import ChecklistVersion
from inspection.draws.models import Adjustment
from inspection.draws.models import Assignment
from inspection.draws.models import Conflict as OfficerConflict
from inspection.draws.models import CreditClass
from inspection.draws.models import DrawItem
from inspection.draws.models import DrawResult
from inspection.draws.models import DrawTask
from inspection.draws.models import Officer
from inspection.draws.models import TaskItem
from inspection.draws.models import Witness
from inspection.enterprises.models import Enterprise
from inspection.enterprises.models import Zone
from inspection.evidence.models import Document
from inspection.evidence.models import Photo
from inspection.filings.models import StatisticsFiling
from inspection.hazards.models import ExtensionRequest
from inspection.hazards.models import Hazard
from inspection.hazards.models import HazardEvent
from inspection.hazards.models import Notice
from inspection.hazards.models import RectificationPlan
from inspection.health.models import SchedulerHeartbeat
from inspection.inspections.models import Answer
from inspection.inspections.models import Inspection
from inspection.inspections.models import InspectionChecklist
from inspection.inspections.models import InspectionInspector
from inspection.inspections.models import Signature
from inspection.notifications.models import Delivery
from inspection.notifications.models import Notification
from inspection.notifications.models import WebhookEndpoint
from inspection.numbering import Counter
from inspection.parks.models import Park
from inspection.parks.models import Region
from inspection.programme.models import AssessmentResult
from inspection.programme.models import CampaignOutcome
from inspection.programme.models import EnterpriseListing
from inspection.programme.models import ListingItem
from inspection.programme.models import ParkAssessment
from inspection.programme.models import ParkProject
from inspection.reminders.models import ReminderPolicy
from inspection.reminders.models import SweepState
from inspection.reports.models import ReportJob
from inspection.risk.models import EnterpriseRisk
from inspection.risk.models import RiskHistory
from inspection.risk.models import RiskOverride
from inspection.risk.models import RiskSettings
from inspection.risk.models import RiskSettingsChange
from inspection.risk.models import RiskWarning
from inspection.security.models import SecurityArchive
from inspection.security.models import SecurityChain
from inspection.security.models import SecurityEvent
from inspection.statistics.models import HazardTally
from inspection.statistics.models import StandingVersion

__all__ = [
    "StatisticsFiling",
    "EnterpriseRisk",
    "RiskHistory",
    "RiskOverride",
    "RiskSettings",
    "RiskSettingsChange",
    "RiskWarning",
    "SchedulerHeartbeat",
    "Adjustment",
    "Assignment",
    "OfficerConflict",
    "CreditClass",
    "DrawItem",
    "DrawResult",
    "DrawTask",
    "Officer",
    "TaskItem",
    "Witness",
    "AssessmentResult",
    "CampaignOutcome",
    "EnterpriseListing",
    "ListingItem",
    "ParkAssessment",
    "ParkProject",
    "AssignedCase",
    "AssignmentBatch",
    "CaseEvent",
    "CaseEvidence",
    "PhotoUpload",
    "SyncReceipt",
    "ReportJob",
    "HazardTally",
    "StandingVersion",
    "SweepState",
    "ReminderPolicy",
    "WebhookEndpoint",
    "Delivery",
    "RecurringPlan",
    "Holiday",
    "Answer",
    "Campaign",
    "ChecklistItem",
    "ChecklistSection",
    "ChecklistTemplate",
    "ChecklistVersion",
    "Counter",
    "Document",
    "ExtensionRequest",
    "Enterprise",
    "Hazard",
    "HazardEvent",
    "Inspection",
    "InspectionChecklist",
    "InspectionInspector",
    "LoginThrottle",
    "PasswordReset",
    "SecurityArchive",
    "SecurityChain",
    "SecurityEvent",
    "Notice",
    "Notification",
    "Park",
    "Photo",
    "RectificationPlan",
    "Region",
    "Signature",
    "User",
    "Zone",
]
