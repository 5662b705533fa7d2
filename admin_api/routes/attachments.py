"""A ticket's attachment, for officials: the file a citizen uploaded through the web chat.

Telegram and Zalo keep their own files (the ticket holds only the platform's id): for those the
answer is 404 ``kept_on_platform``, since fetching from the platforms is not done here. Scope and
confidentiality are the ticket's: what ``GET /tickets/{code}`` would not show reads as not found.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi.responses import FileResponse, Response

from admin_api.deps import ContextDep, SessionDep, allowed
from admin_api.errors import ErrorResponse, documented, error_response
from admin_api.schemas import TrackingCode
from casework.files.errors import KeptOnPlatform
from casework.files.formats import ACCEPTED
from casework.files.service import attachment_download
from casework.officials.models import Official
from casework.officials.permissions import Action

router = APIRouter(prefix="/tickets", tags=["tickets"])

Code = Annotated[TrackingCode, Path(description="The tracking code, e.g. CB-7K3M-9Q2X.")]
AttachmentId = Annotated[
    int, Path(ge=1, le=2_147_483_647, description="The id of the attachment, as the ticket lists it.")
]
FILE_CONTENT: dict[str, Any] = {
    mime_type: {"schema": {"type": "string", "format": "binary"}}
    for mime_type in sorted({file_type.mime_type for file_type in ACCEPTED})
}
NOT_FOUND = {
    "model": ErrorResponse,
    "description": "No such ticket or attachment, or outside the official's unit (`not_found`); or a Telegram "
    "or Zalo file, which the platform keeps (`kept_on_platform`).",
}


def uploads_directory(context: ContextDep) -> FilePath:
    """Where the web chat keeps uploads (the composition root puts it in the API's context)."""
    if context.uploads is None:
        raise RuntimeError("no upload directory in the API context")
    return context.uploads


UploadsDep = Annotated[FilePath, Depends(uploads_directory)]


@router.get(
    "/{code}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment, with the content type read from its bytes.",
            "content": FILE_CONTENT,
            "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
        },
        **documented(401, 403, 422),
        404: NOT_FOUND,
    },
)
async def download_attachment(
    code: Code,
    attachment_id: AttachmentId,
    actor: Annotated[Official, allowed(Action.TICKET_READ)],
    session: SessionDep,
    uploads: UploadsDep,
) -> Response:
    """Download a file the citizen sent through the web chat; the read is audited."""
    try:
        download = await attachment_download(
            session, actor=actor, code=code, attachment_id=attachment_id, directory=uploads
        )
    except KeptOnPlatform as error:
        detail = f"the file is kept on the platform ({error.channel}); open it in the conversation there"
        return error_response(404, "kept_on_platform", detail)
    headers = {
        "Content-Disposition": f'attachment; filename="{download.filename}"',
        "X-Content-Type-Options": "nosniff",
        # Never rendered as a page of ours, even if a browser were to try.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return FileResponse(download.file.path, media_type=download.file.type.mime_type, headers=headers)
