"""The API's JSON parser: bodies no view could use are a 400 in the error shape, not a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from core.inputs import TOO_DEEP, json_problem


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing JSON nested too deep (Python's decoder would raise
    RecursionError) and text no database stores (NUL, unpaired surrogates), on the top-level
    field that holds it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {TOO_DEEP}") from None
        if isinstance(data, dict):
            for key, value in data.items():
                problem = json_problem(value, depth=2)
                # A bad key cannot name the field: it could not be written in the answer.
                if problem and not json_problem(key):
                    raise ValidationError({key: [problem]})
        problem = json_problem(data)
        if problem:
            raise ValidationError([problem])
        return data
