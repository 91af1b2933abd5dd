"""Reading Zensus population grid CSVs: formats, suppressed cells, errors that name row and column."""

from __future__ import annotations

import numpy as np
import pytest

from geo.coverage.grid import GridError, read_zensus_grid


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "grid.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_zensus_2022_100m_with_suppressed_cells(tmp_path):
    path = write(tmp_path, "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n"
                           "CRS3035RES100mN2689100E4337000;4337050;2689150;23\n"
                           "CRS3035RES100mN2689200E4337000;4337050;2689250;–\n"
                           "CRS3035RES100mN2689300E4337000;4337050;2689350;4\n")
    grid = read_zensus_grid(path)
    assert grid["x"].tolist() == [4337050, 4337050, 4337050]
    assert grid["y"].tolist() == [2689150, 2689250, 2689350]
    assert grid["population"].iloc[0] == 23 and np.isnan(grid["population"].iloc[1])
    assert grid.attrs["suppressed"] == 1 and grid.attrs["rows"] == 3 and grid.attrs["cell_size_m"] == 100


def test_zensus_2011_ids_only_with_minus_one_and_windows_encoding(tmp_path):
    # 2011 ids count cells of their size from the origin and name the lower-left corner.
    path = write(tmp_path, "Gitter_ID_100m;Einwohner\r\n100mN26891E43370;-1\r\n100mN26892E43370;7\r\n"
                           "100mN26893E43370;\u2013\r\n", encoding="cp1252")
    grid = read_zensus_grid(path)
    assert grid["x"].tolist() == [4337050.0] * 3
    assert grid["y"].tolist() == [2689150.0, 2689250.0, 2689350.0]
    assert grid["population"].isna().tolist() == [True, False, True]


def test_one_km_grid_with_decimal_comma_and_lowercase_column(tmp_path):
    path = write(tmp_path, "GITTER_ID_1km;x_mp_1km;y_mp_1km;einwohner;werterlaeuternde_Zeichen\n"
                           "CRS3035RES1000mN2689000E4337000;4337500;2689500;1234,0;\n")
    grid = read_zensus_grid(path)
    assert grid["population"].tolist() == [1234.0] and grid.attrs["cell_size_m"] == 1000


def test_ids_give_centres_of_2022_cells(tmp_path):
    path = write(tmp_path, "GITTER_ID_1km;Einwohner\nCRS3035RES1000mN2689000E4337000;5\n")
    grid = read_zensus_grid(path)
    assert (grid["x"].iloc[0], grid["y"].iloc[0]) == (4337500.0, 2689500.0)


def test_bounds_keep_only_cells_of_the_area(tmp_path):
    rows = "".join(f"X;{4337050 + 100 * i};2689150;{i}\n" for i in range(10))
    path = write(tmp_path, "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n" + rows)
    grid = read_zensus_grid(path, bounds=(4337200, 2689000, 4337600, 2689200))
    assert grid["x"].tolist() == [4337250, 4337350, 4337450, 4337550]
    assert grid.attrs["rows"] == 10


def test_other_population_column(tmp_path):
    path = write(tmp_path, "x_mp_100m;y_mp_100m;Einwohner;AnteilUeber65\n4337050;2689150;10;3\n")
    assert read_zensus_grid(path, column="anteilueber65")["population"].tolist() == [3.0]


def test_missing_file(tmp_path):
    with pytest.raises(GridError, match="grid.csv: population grid file not found"):
        read_zensus_grid(tmp_path / "grid.csv")


def test_not_semicolon_separated(tmp_path):
    path = write(tmp_path, "x_mp_100m y_mp_100m Einwohner\n1 2 3\n")
    with pytest.raises(GridError, match="row 1 is not semicolon-separated"):
        read_zensus_grid(path)


def test_missing_population_column_lists_the_columns(tmp_path):
    path = write(tmp_path, "GITTER_ID_100m;x_mp_100m;y_mp_100m;Insgesamt_Bevoelkerung\nA;1;2;3\n")
    with pytest.raises(GridError, match=r"no population column 'Einwohner'; columns found: .*Insgesamt_Bevoelkerung"):
        read_zensus_grid(path)


def test_missing_coordinates(tmp_path):
    path = write(tmp_path, "Zelle;Einwohner\nA;3\n")
    with pytest.raises(GridError, match="no cell-centre columns"):
        read_zensus_grid(path)


def test_bad_values_name_row_and_column(tmp_path):
    path = write(tmp_path, "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n"
                           "A;4337050;2689150;12\n"
                           "B;4337050;2689250;zwölf\n"
                           "C;43370x0;2689350;3\n")
    with pytest.raises(GridError) as info:
        read_zensus_grid(path)
    text = str(info.value)
    assert "grid.csv, row 3, column 'Einwohner': not a number of residents" in text and "'zwölf'" in text
    assert "grid.csv, row 4, column 'x_mp_100m': not a coordinate" in text
    assert {(p.row, p.column) for p in info.value.problems} == {(3, "Einwohner"), (4, "x_mp_100m")}


def test_bad_cell_id(tmp_path):
    path = write(tmp_path, "GITTER_ID_100m;Einwohner\nCRS3035RES100mN2689100E4337000;1\nkaputt;2\n")
    with pytest.raises(GridError, match=r"row 3, column 'GITTER_ID_100m': not a grid cell id"):
        read_zensus_grid(path)


@pytest.mark.parametrize("text", ["", "GITTER_ID_100m;x_mp_100m;y_mp_100m;Einwohner\n"])
def test_empty_files(tmp_path, text):
    with pytest.raises(GridError, match="empty|no grid cells"):
        read_zensus_grid(write(tmp_path, text))
