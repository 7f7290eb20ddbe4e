"""The Decision-766 scoring core on hand-computed cases (qd766.md) and the score766 command."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.score766 import QD766_2026, CountsError, score

EXAMPLE = Path(__file__).with_name("counts_example.json")


def counts(**changes):
    return {**json.loads(EXAMPLE.read_text()), **changes}


def test_a_hand_computed_month():
    result = score(counts())
    ind = result["indicators"]
    assert set(ind) == {i.code for i in QD766_2026.indicators} and len(ind) == 21
    # transparency: 6×8/10, n/a (nothing due), 2×95/100, 6×900/1000
    assert (ind["PUBLISH_ON_TIME"], ind["PUBLIC_UPDATE_ON_TIME"], ind["PUBLIC_CONTENT_FULL"], ind["DOSSIER_SYNC"]) == (
        4.8, None, 1.9, 5.4)
    assert ind["PROGRESS_ON_TIME"] == 19.5  # 20 × 975/1000
    # online: 2 × min(1, 0.7/0.8); 4 × 35/70; 6 × min(1, 0.4/0.5)
    assert (ind["ONLINE_TTHC_PROVIDED"], ind["ONLINE_SERVICES_WITH_DOSSIERS"], ind["ONLINE_SUBMISSION_SHARE"]) == (
        1.75, 2.0, 4.8)
    assert ind["ELECTRONIC_CERTIFIED_COPY"] == 1.11  # 2 × 55.5 / 100
    assert ind["REUSED_DIGITIZED_DATA"] == 0.25  # 2 × min(1, 0.1/0.8)
    assert ind["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"] is None  # empty base: not applicable
    assert ind["DOSSIER_RECEIVING_SATISFACTION"] == 5.67  # 6 × 0.85/0.9 = 5.666…
    # no feedback at all: full points (what the portal publishes, not the spreadsheet's split)
    assert (ind["PETITION_PROCESSING_ON_TIME"], ind["PETITION_HANDLING_SATISFACTION"]) == (6.0, 6.0)
    assert result["groups"] == {"transparency": 12.1, "progress": 19.5, "online": 8.55, "digitization": 7.06,
                                "satisfaction": 17.67, "payment": 2.65}
    assert result["total"] == 67.53


def test_second_kind_groups_sum_before_rounding_first_kind_after():
    # payment: 6×0 + 2×min(1, 0.25/0.8)=0.625 + 2×min(1, 0.25/0.8)=0.625 -> 1.25 (not 0.63 + 0.63 = 1.26)
    result = score(counts(dossiers_paid_online=0, tthc_with_online_payment=5, tthc_fee_integrated=5, tthc_with_fee=20))
    assert (result["indicators"]["PAYMENT_TTHC_WITH_ONLINE_PAYMENT"], result["groups"]["payment"]) == (0.63, 1.25)
    # satisfaction (first kind): 6 × 1/3 = 2.0, 6 × 2/3 = 4.0, 6 × min(1, (1/3)/0.9) = 2.2222 -> 2.22
    result = score(counts(petitions_on_time=1, petitions_total=3, petitions_satisfied=2, petitions_received=3,
                          dossiers_satisfied=1, dossiers_handled=3))
    assert result["groups"]["satisfaction"] == 8.22
    # rounded half-up to 2 decimals: 2 × 0.625 / 100 = 0.0125 -> 0.01; 2 × 0.75 / 100 = 0.015 -> 0.02
    assert score(counts(certified_copy_ratio_percent=0.625))["indicators"]["ELECTRONIC_CERTIFIED_COPY"] == 0.01
    assert score(counts(certified_copy_ratio_percent=0.75))["indicators"]["ELECTRONIC_CERTIFIED_COPY"] == 0.02


def test_empty_denominators_and_a_perfect_month():
    zero = {k: 0 for k in QD766_2026.inputs}
    result = score(zero)
    assert result["groups"] == {"transparency": 0.0, "progress": 0.0, "online": 0.0, "digitization": 0.0,
                                "satisfaction": 12.0, "payment": 0.0}
    perfect = {k: 10 for k in QD766_2026.inputs} | {"certified_copy_ratio_percent": 100, "tthc_online_partial": 5,
                                                    "tthc_online_full": 5}
    assert score(perfect)["total"] == 100.0


def test_missing_negative_and_non_numeric_counts_are_named():
    with pytest.raises(CountsError) as err:
        score({k: v for k, v in counts(dossiers_on_time=-3, petitions_total="mười").items() if k != "tthc_with_fee"})
    message = str(err.value)
    assert "thiếu số liệu: tthc_with_fee" in message and "số âm: dossiers_on_time" in message
    assert "không phải là số: petitions_total" in message
    with pytest.raises(CountsError, match="vượt 100: certified_copy_ratio_percent"):
        score(counts(certified_copy_ratio_percent=120))
    with pytest.raises(CountsError):
        score([1, 2])


@pytest.mark.django_db
def test_the_command(tmp_path):
    out = io.StringIO()
    call_command("score766", "--input", str(EXAMPLE), stdout=out)
    assert json.loads(out.getvalue())["total"] == 67.53
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(counts(dossiers_received=-1)))
    with pytest.raises(CommandError, match="số âm: dossiers_received"):
        call_command("score766", "--input", str(bad))
    bad.write_text("{oops")
    with pytest.raises(CommandError, match="không phải JSON hợp lệ"):
        call_command("score766", "--input", str(bad))
    with pytest.raises(CommandError, match="Không đọc được"):
        call_command("score766", "--input", str(tmp_path / "none.json"))
    with pytest.raises(CommandError, match="Không có cấu hình"):
        call_command("score766", "--input", str(EXAMPLE), "--config", "766-1999")
