from django.urls import path, register_converter

from okno.appeals.views import actions, detail, inbox, new


class AppealNumberConverter:
    """``2026-000123``: the year, a dash, the number in the year."""

    regex = r"\d{4}-\d{1,9}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AppealNumberConverter, "appeal_number")

app_name = "appeals"
urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("inbox/table/", inbox.inbox_table, name="inbox_table"),
    path("inbox/sidebar/", inbox.inbox_sidebar, name="inbox_sidebar"),
    path("inbox/columns/", inbox.inbox_columns, name="inbox_columns"),
    path("inbox/bulk/", inbox.bulk, name="bulk"),
    path("appeals/new/", new.new_appeal, name="new"),
    path("appeals/subcategories/", detail.subcategories, name="subcategories"),
    path("appeals/<appeal_number:number>/", detail.detail, name="detail"),
    path("appeals/<appeal_number:number>/header/", detail.header, name="header"),
    path("appeals/<appeal_number:number>/timeline/", detail.timeline, name="timeline"),
    path("appeals/<appeal_number:number>/actions/", detail.actions_panel, name="actions"),
    path("appeals/<appeal_number:number>/take/", actions.take, name="take"),
    path("appeals/<appeal_number:number>/assign/", actions.assign, name="assign"),
    path("appeals/<appeal_number:number>/status/", actions.change_status, name="status"),
    path("appeals/<appeal_number:number>/fields/", actions.update_fields, name="fields"),
    path("appeals/<appeal_number:number>/client/", actions.change_client, name="client"),
    path("appeals/<appeal_number:number>/close/", actions.close, name="close"),
    path("appeals/<appeal_number:number>/reopen/", actions.reopen, name="reopen"),
    path("appeals/<appeal_number:number>/cancel/", actions.cancel, name="cancel"),
    path("appeals/<appeal_number:number>/merge/", actions.merge, name="merge"),
    path("appeals/<appeal_number:number>/link/", actions.link, name="link"),
    path("appeals/<appeal_number:number>/unlink/", actions.unlink, name="unlink"),
    path("appeals/<appeal_number:number>/subcase/", actions.subcase, name="subcase"),
    path("appeals/<appeal_number:number>/reply/", actions.reply, name="reply"),
    path("appeals/<appeal_number:number>/note/", actions.note, name="note"),
    path("appeals/<appeal_number:number>/messages/<int:message_id>/approve/", actions.approve, name="approve"),
    path("appeals/<appeal_number:number>/messages/<int:message_id>/return/", actions.return_reply, name="return"),
    path("appeals/<appeal_number:number>/messages/<int:message_id>/revise/", actions.revise, name="revise"),
    path("attachments/<int:attachment_id>/<str:filename>", detail.attachment, name="attachment"),
]
