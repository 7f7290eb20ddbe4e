from celery import shared_task

from .services import store_intake


@shared_task(name="docstore.ingest")
def ingest(dossier_id: int, kind: str) -> int:
    if not isinstance(dossier_id, int) or kind not in ("component", "result"):
        raise ValueError("Tham số không hợp lệ: cần mã hồ sơ (số) và loại 'component' hoặc 'result'.")
    return store_intake(dossier_id=dossier_id, kind=kind)
