"""Every QR code is decoded back to the exact URL with a real decoder (zxing-cpp)."""

import io
import subprocess

import pytest
import zxingcpp
from PIL import Image

from api.qr import chat_url, qr_pdf, qr_png, qr_svg
from bot.knowledge.communes import Registry
from bot.settings import ROOT, Settings

# heavy diacritics, a ward, a special zone, and the Đà Nẵng communes with QR codes on the wall
CODES = ["20320", "20332", "20308", "00004"]


@pytest.fixture(scope="module")
def registry():
    return Registry.load(ROOT / "knowledge")


def decode(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@pytest.mark.parametrize("code", CODES)
def test_png_decodes_to_the_url(code):
    settings = Settings(public_url="https://tthc.example.gov.vn")
    url = chat_url(settings, code, qr=True)
    assert url == f"https://tthc.example.gov.vn/c/{code}?src=qr"
    assert decode(Image.open(io.BytesIO(qr_png(url)))) == url


def test_svg_and_pdf_decode_to_the_url(tmp_path, registry):
    settings = Settings(public_url="https://tthc.example.gov.vn")
    special = next(c for c in registry.communes.values() if c.ward_type == "đặc khu")
    for commune in (registry.get("20320"), special, registry.get("00004")):
        url = chat_url(settings, commune.ward_code, qr=True)
        svg = tmp_path / f"{commune.ward_code}.svg"
        svg.write_bytes(qr_svg(url))
        png = tmp_path / f"{commune.ward_code}-svg.png"
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'chrome'}",
                        f"--screenshot={png}", "--window-size=500,500", svg.as_uri()], check=True, capture_output=True,
                       timeout=60)
        assert decode(Image.open(png)) == url
        pdf = tmp_path / f"{commune.ward_code}.pdf"
        pdf.write_bytes(qr_pdf(settings, commune))
        subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / commune.ward_code)], check=True)
        page = Image.open(tmp_path / f"{commune.ward_code}-1.png")
        assert decode(page) == url
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert commune.ward_name in text and commune.province_name in text
        assert "Quét mã để hỏi đáp thủ tục hành chính 24/7" in text
        assert f"https://tthc.example.gov.vn/c/{commune.ward_code}" in text


def test_api_qr_endpoints(client):
    png = client.get("/api/communes/20320/qr.png")
    assert png.headers["content-type"] == "image/png"
    assert decode(Image.open(io.BytesIO(png.content))).endswith("/c/20320?src=qr")
    svg = client.get("/api/communes/20320/qr.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert client.get("/api/communes/00000/qr.png").status_code == 404
