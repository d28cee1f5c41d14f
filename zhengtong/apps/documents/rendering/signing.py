"""The digital signature over an issued PDF: PAdES (ETSI EN 319 142) by pyHanko.

The deployment has its own small PKI, made on first use with ``cryptography`` and kept under
``ZT_VAR_DIR/document-signing/`` (never in the repository), each private key readable by its
owner only: a self-issued root ("Zhengtong document signing CA") and one signing certificate
per issuing unit (subject: the unit's name). A unit's certificate signs every PDF the unit
issues; ``verify`` checks the signature with pyHanko's validator against that root.

SM2/SM3 (the 国密 profile, GB/T 38540 for electronic seals): not offered. ``cryptography`` has
no SM2 (pyca/cryptography#6857), pyHanko signs only with RSA, ECDSA (NIST/Brainpool curves) and
EdDSA, and the pure-Python SM2 libraries are not sound for signing keys (gmssl draws its nonce
from ``random``; gmalg says it is for learning only). An SM2 profile needs a native library
(Tongsuo or GmSSL bindings) and, for OFD, the signature of GB/T 33190 chapter 18 / GB/T 38540.
"""

from __future__ import annotations

import datetime
import io
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CA_NAME = "Zhengtong document signing CA"
CA_YEARS = 20
UNIT_YEARS = 5
FIELD_NAME = "IssuerSeal"


@dataclass(frozen=True)
class Verification:
    valid: bool  # intact, covering the whole file, and chaining to the deployment's root
    signer: str
    signed_at: datetime.datetime | None
    summary: str


def _directory() -> Path:
    return Path(settings.VAR_DIR) / "document-signing"


def _write_private(path: Path, data: bytes) -> None:
    """Written to a 0600 temporary file and linked into place: two processes cannot both make it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
        os.close(descriptor)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)


def _key(path: Path):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        _write_private(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PermissionError(f"the signing key {path} is readable by others: chmod 600 it")
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _certificate(path: Path, make):  # type: ignore[no-untyped-def]
    from cryptography import x509

    if path.exists():
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
        if certificate.not_valid_after_utc > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30):
            return certificate
        path.unlink()  # about to expire: a new one (old signatures keep their own copy of the old one)
    from cryptography.hazmat.primitives import serialization

    _write_private(path, make().public_bytes(serialization.Encoding.PEM))
    return x509.load_pem_x509_certificate(path.read_bytes())


def _build(subject_name: str, key, issuer_name: str, issuer_key, *, years: int, ca: bool):  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def root_certificate():  # type: ignore[no-untyped-def]
    directory = _directory()
    key = _key(directory / "ca.key")
    return _certificate(directory / "ca.pem", lambda: _build(CA_NAME, key, CA_NAME, key, years=CA_YEARS, ca=True))


def _unit_credentials(unit_id: int, unit_name: str):  # type: ignore[no-untyped-def]
    directory = _directory()
    root = root_certificate()
    ca_key = _key(directory / "ca.key")
    key = _key(directory / f"unit-{unit_id}.key")
    certificate = _certificate(directory / f"unit-{unit_id}.pem",
                               lambda: _build(unit_name, key, CA_NAME, ca_key, years=UNIT_YEARS, ca=False))
    return key, certificate, root


def _asn1(certificate):  # type: ignore[no-untyped-def]
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_pdf(pdf: bytes, *, unit_id: int, unit_name: str, reason: str) -> bytes:
    """``pdf`` with a PAdES B-B signature of the unit appended (an incremental update)."""
    from asn1crypto import keys as asn1_keys
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, certificate, root = _unit_credentials(unit_id, unit_name)
    signer = signers.SimpleSigner(
        signing_cert=_asn1(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([_asn1(root)]),
    )
    metadata = signers.PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES,
                                            md_algorithm="sha256", reason=reason, name=unit_name)
    output = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), metadata, signer=signer)
    return output.getvalue()


def verify(pdf: bytes) -> Verification:
    """The PDF's signature checked by pyHanko against the deployment's root; never raises on bad input."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return Verification(False, "", None, "unsigned")
        status = validate_pdf_signature(signatures[-1], ValidationContext(trust_roots=[_asn1(root_certificate())]))
    except Exception as exc:  # noqa: BLE001 - a damaged or forged file is an invalid signature, whatever broke
        return Verification(False, "", None, f"unreadable: {type(exc).__name__}")
    valid = bool(status.intact and status.valid and status.trusted and status.coverage == SignatureCoverageLevel.ENTIRE_FILE)
    signer = status.signing_cert.subject.native.get("common_name", "") if status.signing_cert else ""
    return Verification(valid, signer, status.signer_reported_dt, status.summary())
