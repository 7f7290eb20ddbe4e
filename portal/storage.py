"""Private file storage: uploaded dossier files never get a public URL.

Files are served only by views that pass the access gate (accounts/access.py), which stream
them; asking the storage for a URL is a programming error and raises.
"""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError(
            "Tệp riêng tư không có đường dẫn công khai; hãy phục vụ qua view có kiểm tra quyền truy cập."
        )
