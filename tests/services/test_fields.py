"""The field reader every request body goes through: what it keeps, what it refuses, and in which words."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk_server.domain.schedule import VN
from kiosk_server.services.core.errors import ValidationFailed
from kiosk_server.services.core.fields import FieldReader, is_list_of, is_whole

FIELDS = ("name", "kind", "count", "media_ids", "sound", "starts_at", "body")


def refusals(reader: FieldReader) -> dict[str, str]:
    return {name: str(message) for name, message in reader.errors.items()}


def test_a_body_that_is_not_an_object_is_refused_before_any_field():
    with pytest.raises(ValidationFailed) as refused:
        FieldReader(["name"], FIELDS)
    assert str(refused.value.message) == "Nội dung gửi lên phải là một đối tượng JSON."
    assert refused.value.fields == {}


def test_unknown_fields_are_each_named_as_unsupported():
    reader = FieldReader({"name": "x", "colour": "red", "age": 3}, FIELDS)
    assert refusals(reader) == {"age": "Trường này không được hỗ trợ.", "colour": "Trường này không được hỗ trợ."}


def test_errors_of_several_fields_are_collected_into_one_refusal():
    reader = FieldReader({"name": "", "kind": "video", "count": "many"}, FIELDS)
    reader.text("name", "Hãy đặt tên.")
    reader.choice("kind", ("cap", "feed"), "Loại không hợp lệ.")
    reader.number("count", "Số từ 1 đến 9.", 1, 9, whole=True)
    with pytest.raises(ValidationFailed) as refused:
        reader.finish("Chưa hợp lệ; xem lỗi của từng trường.")
    assert str(refused.value.message) == "Chưa hợp lệ; xem lỗi của từng trường."
    assert {name: str(m) for name, m in refused.value.fields.items()} == {
        "name": "Hãy đặt tên.", "kind": "Loại không hợp lệ.", "count": "Số từ 1 đến 9.",
    }


def test_a_partial_read_leaves_absent_fields_out():
    reader = FieldReader({"kind": "feed"}, FIELDS, partial=True)
    assert reader.text("name", "Hãy đặt tên.") is None
    reader.choice("kind", ("cap", "feed"), "Loại không hợp lệ.")
    reader.flag("sound", False)
    reader.when("starts_at")
    assert reader.finish("Chưa hợp lệ.") == {"kind": "feed"}


def test_a_whole_read_reads_absent_fields_too_and_applies_their_defaults():
    reader = FieldReader({"name": "Tin"}, FIELDS)
    reader.text("name", "Hãy đặt tên.")
    reader.choice("kind", ("cap", "feed"), "Loại không hợp lệ.", default="feed")
    reader.flag("sound", True)
    reader.ids("media_ids", 5, "Tối đa 5 tệp.")
    reader.when("starts_at")
    assert reader.finish("Chưa hợp lệ.") == {"name": "Tin", "kind": "feed", "sound": True, "media_ids": [],
                                             "starts_at": None}


def test_text_is_stripped_or_squeezed_and_refused_when_blank_or_not_text():
    reader = FieldReader({"name": "  Bản   tin  xã  ", "kind": "   ", "body": 7}, FIELDS)
    assert reader.text("name", "Hãy đặt tên.", squeeze=True) == "Bản tin xã"
    reader.text("kind", "Hãy chọn loại.")
    reader.text("body", "Hãy nhập nội dung.")
    assert refusals(reader) == {"kind": "Hãy chọn loại.", "body": "Hãy nhập nội dung."}


def test_a_too_long_text_may_be_refused_in_words_that_quote_its_length():
    reader = FieldReader({"name": "x" * 12}, FIELDS)
    reader.text("name", "Hãy đặt tên.", most=10, too_long=lambda text: f"Dài quá 10 ký tự (hiện có {len(text)}).")
    assert refusals(reader) == {"name": "Dài quá 10 ký tự (hiện có 12)."}


def test_prose_is_optional_but_must_be_text_within_its_length():
    reader = FieldReader({"body": None}, FIELDS)
    assert reader.prose("body", 5, not_text="Phải là văn bản.", too_long="Dài quá.", convert=str.upper) == ""
    for value, message in ((["a"], "Phải là văn bản."), ("abcdef", "Dài quá.")):
        reader = FieldReader({"body": value}, FIELDS)
        reader.prose("body", 5, not_text="Phải là văn bản.", too_long="Dài quá.")
        assert refusals(reader) == {"body": message}


def test_a_choice_reads_a_falsy_value_as_its_default_but_without_one_keeps_it_to_refuse():
    reader = FieldReader({"kind": ""}, FIELDS)
    assert reader.choice("kind", ("cap", "feed"), "Loại không hợp lệ.", default="cap") == "cap"
    reader = FieldReader({"kind": ""}, FIELDS)
    reader.choice("kind", ("cap", "feed"), lambda value: f"Loại “{value}” không có.")
    assert refusals(reader) == {"kind": "Loại “” không có."}


@pytest.mark.parametrize("value", [True, 1.5, "3", 0, 10])
def test_a_whole_number_refuses_bools_fractions_text_and_values_out_of_range(value):
    reader = FieldReader({"count": value}, FIELDS)
    assert reader.number("count", "Số từ 1 đến 9.", 1, 9, whole=True) is None
    assert refusals(reader) == {"count": "Số từ 1 đến 9."}


def test_a_number_takes_null_as_its_default_or_keeps_none_when_optional():
    assert FieldReader({"count": None}, FIELDS).number("count", "?", 0, 9, whole=True, default=0) == 0
    reader = FieldReader({"count": None}, FIELDS)
    assert reader.number("count", "?", 1, 9, optional=True) is None
    assert reader.out == {"count": None} and not reader.errors
    reader = FieldReader({"count": None}, FIELDS)
    reader.number("count", "Cần một số.", 1, 9)
    assert refusals(reader) == {"count": "Cần một số."}
    assert FieldReader({"count": 2}, FIELDS).number("count", "?", 1, 9, convert=float) == 2.0


def test_ids_are_kept_once_in_order_and_refused_past_the_limit_or_when_not_whole_numbers():
    assert FieldReader({"media_ids": [3, 1, 3]}, FIELDS).ids("media_ids", 5, "?") == [3, 1]
    for value in ([1, 2, 3], [1, True], ["1"], "1"):
        reader = FieldReader({"media_ids": value}, FIELDS)
        reader.ids("media_ids", 2, "Tối đa 2 tệp.")
        assert refusals(reader) == {"media_ids": "Tối đa 2 tệp."}


def test_a_flag_defaults_only_when_absent_and_refuses_null():
    assert FieldReader({}, FIELDS).flag("sound", True) is True
    reader = FieldReader({"sound": None}, FIELDS)
    reader.flag("sound", True)
    assert refusals(reader) == {"sound": "Phải là true hoặc false."}


def test_an_instant_without_an_offset_is_viet_nam_time_and_a_bad_one_is_named():
    reader = FieldReader({"starts_at": "2026-12-01T07:30"}, FIELDS)
    assert reader.when("starts_at") == datetime(2026, 12, 1, 7, 30, tzinfo=VN)
    reader = FieldReader({"starts_at": "2026-12-01T00:30Z"}, FIELDS)
    assert reader.when("starts_at") == datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(0)))
    reader = FieldReader({"starts_at": "mai"}, FIELDS)
    assert reader.when("starts_at") is None
    assert refusals(reader) == {"starts_at": "Thời điểm “mai” không hợp lệ (ví dụ đúng: 2026-12-01T07:30)."}


def test_a_parser_notes_its_own_errors_and_its_result_is_kept():
    def parse(value, errors):
        if value != "ok":
            errors["body"] = "Sai."
        return value.upper()

    reader = FieldReader({"body": "ok"}, FIELDS)
    assert reader.parse("body", parse) == "OK"
    reader = FieldReader({"body": "ko"}, FIELDS)
    reader.parse("body", parse)
    with pytest.raises(ValidationFailed):
        reader.finish("Chưa hợp lệ.")


def test_list_and_number_shapes_never_count_a_bool():
    assert is_whole(3) and not is_whole(True) and not is_whole(3.0)
    assert is_list_of(["a", 1], (str, int), 2)
    assert not is_list_of([True], int, 5)
    assert not is_list_of([1, 2, 3], int, 2)
    assert not is_list_of((1,), int, 5)
