"""The JSON renderer every endpoint uses: no text can make an answer fail."""

from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # A lone surrogate (sent as "\ud800" in a JSON string and echoed by
            # a validation message) has no UTF-8 form: write it as a JSON
            # escape instead, as it came in.
            escaping = type(self)()
            escaping.ensure_ascii = True
            return escaping.render(data, accepted_media_type, renderer_context)
