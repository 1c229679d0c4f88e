"""Static files in production: WhiteNoise's compressed, hashed files, their URLs worked out once.

`{% static %}` asks the storage for a URL on every use: a manifest lookup, quoting and a
`urljoin`, ~25 µs each, four on every page. The manifest is read when a process starts and a
deploy starts new processes, so a name's URL does not change within one: kept here after the
first use. Errors (a name missing from the manifest) are not kept, so they are raised each time.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
