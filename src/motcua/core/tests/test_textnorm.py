from hypothesis import given
from hypothesis import strategies as st

from motcua.core.textnorm import fold

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def test_folds_vietnamese_names():
    assert fold("Đồng Tháp") == "dong thap"
    assert fold("  Phường   Mỹ Tho ") == "phuong my tho"
    assert fold("ĐẶC KHU Phú Quốc") == "dac khu phu quoc"
    assert fold("") == ""
    assert fold(None) == ""


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " "))
def test_folded_vietnamese_is_plain_ascii_and_stable(text):
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert fold(folded) == folded
