"""RFC 9162 Merkle trees: the hashing, the right-edge frontier, and inclusion and consistency proofs.

The tree over leaves d0 … d(n-1) is exactly RFC 9162's (and RFC 6962's) Merkle Tree Hash:

- the empty tree hashes to ``HASH()``;
- a leaf to ``HASH(0x00 || d)``;
- n > 1 leaves to ``HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``, k the largest power of two below n.

The 0x00/0x01 prefixes keep a leaf from passing for a node (second preimages). SHA-256 is the
standard hash; SM3 is the 商密 profile (RFC 9162 leaves hash codes 0xF0–0xFF for private use).
A log never changes its hash: a new hash is a new log.

Everything here takes *leaf hashes* (``Hasher.leaf(data)``), so a caller can keep them instead of
the data. The proof builders are the RFC's recursive definitions, O(n) per proof: they serve tests,
tools and small logs; a large log builds proofs from stored subtree hashes (tiles) instead, and
verifies them with the same ``verify_*`` functions.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes

HASHES = ("sha256", "sm3")


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


_FUNCTIONS: dict[str, Callable[[bytes], bytes]] = {"sha256": _sha256, "sm3": _sm3}


@dataclass(frozen=True)
class Hasher:
    """The tree's hash: ``Hasher("sha256")`` or ``Hasher("sm3")``."""

    name: str = "sha256"

    def __post_init__(self) -> None:
        if self.name not in _FUNCTIONS:
            raise ValueError(f"unknown tree hash {self.name!r}; use one of {', '.join(HASHES)}")

    def digest(self, data: bytes) -> bytes:
        return _FUNCTIONS[self.name](data)

    def empty(self) -> bytes:
        return self.digest(b"")

    def leaf(self, data: bytes) -> bytes:
        return self.digest(b"\x00" + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.digest(b"\x01" + left + right)


def _split(size: int) -> int:
    """The largest power of two below ``size`` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root(hasher: Hasher, leaves: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes."""
    if not leaves:
        return hasher.empty()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return hasher.node(root(hasher, leaves[:k]), root(hasher, leaves[k:]))


@dataclass
class Frontier:
    """The roots of the perfect subtrees along the tree's right edge, largest (leftmost) first.

    A tree of size n has one per set bit of n, so O(log n) hashes are all it takes to append the
    next leaf and to compute the root: a checkpoint that keeps its frontier lets the log grow, and
    lets verification resume, from that checkpoint instead of from leaf 0.
    """

    hasher: Hasher
    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a tree of size {self.size} has {self.size.bit_count()} frontier hashes, not {len(self.hashes)}")

    def append(self, leaf_hash: bytes) -> None:
        node, size = leaf_hash, self.size
        # Adding one to the size carries through its trailing 1-bits: each carry merges two equal subtrees.
        while size & 1:
            node = self.hasher.node(self.hashes.pop(), node)
            size >>= 1
        self.hashes.append(node)
        self.size += 1

    def root(self) -> bytes:
        if not self.hashes:
            return self.hasher.empty()
        value = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            value = self.hasher.node(left, value)
        return value

    def copy(self) -> Frontier:
        return Frontier(self.hasher, self.size, list(self.hashes))


def inclusion_proof(hasher: Hasher, index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 PATH(index, D[n]): the audit path of leaf ``index`` in the tree over ``leaves``."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of size {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(hasher, index, leaves[:k]), root(hasher, leaves[k:])]
    return [*inclusion_proof(hasher, index - k, leaves[k:]), root(hasher, leaves[:k])]


def consistency_proof(hasher: Hasher, first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 PROOF(first, D[n]): that the tree of size ``first`` is a prefix of the tree over ``leaves``."""
    if not 0 <= first <= len(leaves):
        raise ValueError(f"a tree of size {first} cannot be a prefix of one of size {len(leaves)}")
    if first in (0, len(leaves)):
        return []
    return _subproof(hasher, first, leaves, complete=True)


def _subproof(hasher: Hasher, first: int, leaves: Sequence[bytes], *, complete: bool) -> list[bytes]:
    if first == len(leaves):
        return [] if complete else [root(hasher, leaves)]
    k = _split(len(leaves))
    if first <= k:
        return [*_subproof(hasher, first, leaves[:k], complete=complete), root(hasher, leaves[k:])]
    return [*_subproof(hasher, first - k, leaves[k:], complete=False), root(hasher, leaves[:k])]


def verify_inclusion(hasher: Hasher, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 §2.1.3.2: does ``proof`` place ``leaf_hash`` at ``index`` in the tree of ``size`` with that root?"""
    if not 0 <= index < size:
        return False
    fn, sn, value = index, size - 1, leaf_hash
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            value = hasher.node(sibling, value)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            value = hasher.node(value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(value, expected_root)


def verify_consistency(hasher: Hasher, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of size ``first`` with ``first_root`` a prefix of the one of ``second``?"""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and hmac.compare_digest(first_root, second_root)
    if first == 0:
        return not proof  # the empty tree is a prefix of every tree
    if not proof:
        return False
    path = [first_root, *proof] if (first & (first - 1)) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first_value = second_value = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first_value = hasher.node(sibling, first_value)
            second_value = hasher.node(sibling, second_value)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            second_value = hasher.node(second_value, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(first_value, first_root) and hmac.compare_digest(second_value, second_root)
