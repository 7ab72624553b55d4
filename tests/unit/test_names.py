"""A sender's typed name reaches an official message only when it looks like a name."""

from __future__ import annotations

import pytest

from ventanilla.routing.names import plausible_name


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Ana Gómez", "Ana Gómez"),
        ("  María   José  Ruiz ", "María José Ruiz"),
        ("ANA MARÍA RUIZ PÉREZ", "ANA MARÍA RUIZ PÉREZ"),  # forms are often filled in capitals
        ("Jean-Luc O'Neill", "Jean-Luc O'Neill"),
        ("J. R. Gutiérrez", "J. R. Gutiérrez"),
        ("Ma. del Pilar Núñez", "Ma. del Pilar Núñez"),
        ("Иван Петров", "Иван Петров"),  # letters of any script
        ("Go\u0301mez", "Gómez"),  # a decomposed é (e + combining accent) is a letter too
        # The phishing relay of issue 15, and its cousins.
        ("URGENTE… valide sus datos en https://banco-seguro.example/validar", ""),
        ("Urgente valide sus datos", ""),
        ("Pedro visite banco.co", ""),
        ("www.ejemplo.com", ""),
        ("ana@example.com", ""),
        ("3001234567", ""),
        ("Ana 2", ""),
        ("Ana\nRuiz", "Ana Ruiz"),  # a line break is only a space
        ("Ana\x07Ruiz", ""),
        ("Ana 🙂", ""),
        ("Gane un premio hoy", ""),
        ("uno dos tres cuatro cinco seis siete", ""),
        ("A" * 81, ""),
        (
            "María de los Ángeles Rodríguez-Castañeda de la Torre y Villamizar Ñúñez",
            "María de los Ángeles Rodríguez-Castañeda de la Torre y Villamizar Ñúñez",
        ),  # the particles are not counted as words
        ("...", ""),
        ("", ""),
    ],
)
def test_only_a_plausible_name_is_kept(typed: str, shown: str) -> None:
    assert plausible_name(typed) == shown
