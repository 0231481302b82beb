import pytest

from okno.lib.env import EnvError, env_bool, env_int, env_list, env_secret


def test_booleans_read_common_spellings_and_refuse_others():
    assert env_bool("X", environ={"X": "Yes"}) is True
    assert env_bool("X", environ={"X": "0"}) is False
    assert env_bool("X", True, environ={}) is True
    with pytest.raises(EnvError, match="X must be a boolean"):
        env_bool("X", environ={"X": "perhaps"})


def test_integers_with_minimum():
    assert env_int("N", 5, environ={"N": " 7 "}) == 7
    with pytest.raises(EnvError, match="at least 1"):
        env_int("N", 5, environ={"N": "0"}, minimum=1)
    with pytest.raises(EnvError, match="integer"):
        env_int("N", 5, environ={"N": "ten"})


def test_lists_drop_blanks():
    assert env_list("L", environ={"L": "a, b,,c "}) == ["a", "b", "c"]


def test_secrets_can_come_from_a_file(tmp_path):
    secret = tmp_path / "s"
    secret.write_text("s3cret\n")
    assert env_secret("KEY", environ={"KEY_FILE": str(secret)}) == "s3cret"
    with pytest.raises(EnvError, match="cannot be read"):
        env_secret("KEY", environ={"KEY_FILE": str(tmp_path / "missing")})
