"""The field app's words: the page's script shows them, so they travel with the page as JSON."""

from __future__ import annotations

from inspection.i18n import lazy_gettext as _l

TEXTS = {
    "online": _l("Online"),
    "offline": _l("Offline: everything is kept on this tablet"),
    "preparing": _l("Downloading the day's inspections…"),
    "prepared": _l(
        "Downloaded at {time}: {inspections} inspections, {checklists} checklists"
        " ({items} items). The app also opens without signal."
    ),
    "not_prepared": _l("Nothing downloaded yet. Prepare for offline while you still have signal."),
    "prepare_failed": _l("Could not download: no connection. Try again where there is signal."),
    "needs_https": _l(
        "Working offline needs a secure (HTTPS) connection to the server. Ask the administrator."
    ),
    "no_inspections": _l(
        "You have no open inspections. Start or plan one on the inspections page, then prepare"
        " again."
    ),
    "pending_none": _l("Everything is synced."),
    "pending_some": _l("Waiting to sync: {records} records and {photos} photos."),
    "syncing": _l("Syncing…"),
    "uploading": _l("Sending photo {n} of {total}…"),
    "sending_records": _l("Sending {count} records…"),
    "synced_at": _l("Last synced {time}."),
    "sync_offline": _l("No connection. The records stay on this tablet and are sent later."),
    "sync_failed": _l(
        "The server did not take the records this time ({message}). They stay on this tablet"
        " and are sent again later."
    ),
    "other_user": _l(
        "{name} is logged in, but the work on this tablet was done by someone else. It is sent"
        " when they log in again; nothing is lost."
    ),
    "not_kept": _l("The tablet could not keep this ({message}). Free some space and try again."),
    "storage_not_kept": _l(
        "This browser may clear unsynced work when space runs short: sync soon, or add the app to"
        " the home screen."
    ),
    "completed": _l("Completed"),
    "rule": _l(
        "When the server changed meanwhile: your answers from the field count for the inspection"
        " in hand (you are told whose answer they replaced); an inspection completed or"
        " reassigned on the server stays so, and what could not be added comes back here with"
        " the reason."
    ),
    "login_again": _l(
        "Your login has run out. Log in again (in this browser); nothing on this tablet is lost."
    ),
    "log_in": _l("Log in"),
    "dismiss": _l("Understood"),
    "rejected": _l("Not accepted"),
    "accepted_note": _l("Accepted, note"),
    "state_pending": _l("Waiting to sync"),
    "state_retry": _l("Waiting for photos"),
    "state_accepted": _l("Synced"),
    "state_rejected": _l("Not accepted"),
    "back": _l("Back to the list"),
    "answered": _l("{answered} / {total} answered"),
    "hazards": _l("Hazards"),
    "sections": _l("Sections"),
    "no_hazards": _l("No hazards recorded yet."),
    "pass": _l("Complies"),
    "fail": _l("Does not comply"),
    "na": _l("Not applicable"),
    "present": _l("Present"),
    "not_present": _l("Not present"),
    "measured": _l("Measured value"),
    "save": _l("Save"),
    "what_found": _l("What you found"),
    "record_hazard": _l("Record a hazard"),
    "record_other_hazard": _l("Record another hazard"),
    "item_photo": _l("Photo"),
    "photos_count": _l("{count} photos"),
    "basis": _l("Basis"),
    "major_item": _l("Major-hazard criterion"),
    "new_hazard": _l("New hazard"),
    "from_item": _l("From checklist item {code}"),
    "hazard_title": _l("Hazard title"),
    "description": _l("Description"),
    "location": _l("Location"),
    "level": _l("Level"),
    "category": _l("Category"),
    "deadline": _l("Deadline"),
    "required_measures": _l("Required measures"),
    "override_reason": _l("Why it is recorded as general, not major"),
    "occurrence_link": _l("Stage it arose in"),
    "photos": _l("Photos of the hazard"),
    "take_photos": _l("Take or choose photos"),
    "fixed_on_spot": _l("Fixed on the spot (即查即改)"),
    "fix_note": _l("What was done"),
    "after_photos": _l("Photos after the fix"),
    "save_hazard": _l("Keep the hazard"),
    "cancel": _l("Cancel"),
    "need_title": _l("Give the hazard a short title."),
    "need_item_photos": _l(
        "A failed item needs a photo before the record is locked: {items}. Take the photos at"
        " these items, then complete."
    ),
    "list_separator": _l(", "),
    "chars_count": _l("{length} / {max} characters"),
    "chars_over": _l("{over} characters too many (at most {max})"),
    "too_long": _l("{field}: {over} characters too many; shorten it to save."),
    "need_basis": _l("A major hazard needs its legal basis (standard and clause)."),
    "need_override": _l(
        "This item is a major-hazard criterion. To record it as general, write down why."
    ),
    "need_after_photo": _l("Add a photo showing the hazard after it was fixed."),
    # The server refuses the same (hazards/lifecycle.py); said here before it is kept offline.
    "major_on_spot": _l(
        "A major hazard cannot be fixed on the spot (即查即改): under"
        " 《安全生产事故隐患排查治理暂行规定》第十五条 the enterprise's principal person in"
        " charge rectifies it under a plan (治理方案). Record it for rectification by a"
        " deadline. Nothing was changed."
    ),
    "need_photo": _l("Add at least one photo of the hazard."),
    "saved_on_device": _l("Kept on this tablet; it is sent when there is signal."),
    "draft_restored": _l(
        "The hazard you were writing has been restored, photos included. Check it and save it."
    ),
    "processing_photos": _l("Preparing photos…"),
    "photo_refused": _l("A photo was refused by the server: {reason}"),
    "sign_and_complete": _l("Sign and complete"),
    "signatures": _l("Signatures"),
    "sign_here": _l("Sign here with a finger or stylus"),
    "clear": _l("Clear"),
    "save_signature": _l("Keep the signature"),
    "signed": _l("Signed"),
    "empty_signature": _l("The signature box is empty. Sign with a finger or stylus."),
    "representative": _l("The enterprise's representative"),
    "representative_name": _l("Name of the enterprise's representative"),
    "need_name": _l("Write the name of the enterprise's representative."),
    "summary": _l("Summary of the inspection"),
    "complete": _l("Complete the inspection"),
    "still_to_sign": _l("Still to sign: {names}. Everyone signs before the record is locked."),
    "completed_on_device": _l("Completed on this tablet; the record is locked once it has synced."),
    "locked": _l("This inspection is completed; its answers can no longer change."),
    "hazard_number": _l("No. {number}"),
    "answer_kind": _l("Answer"),
    "hazard_kind": _l("Hazard"),
    "signature_kind": _l("Signature"),
    "completion_kind": _l("Completion"),
    "problems": _l("Needs your attention"),
    "inspection_missing": _l(
        "This inspection is not in the downloaded package any more. Prepare for offline again."
    ),
}


def texts() -> dict[str, str]:
    """The words in the current language."""
    return {key: str(value) for key, value in TEXTS.items()}
