"""RFC 9162 trees: known roots, the RFC's own examples, and every proof for every (m, n) with n <= 40."""

from __future__ import annotations

import pytest

from zhengtong.platform.ledger import merkle
from zhengtong.platform.ledger.merkle import Frontier, Hasher

SHA256 = Hasher("sha256")
HASHERS = [SHA256, Hasher("sm3")]

# The inputs and roots the Certificate Transparency implementations test against (RFC 6962 trees
# over these eight leaves, sizes 1 to 8).
CT_LEAVES = [bytes.fromhex(value) for value in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                                "606162636465666768696a6b6c6d6e6f")]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def _leaves(hasher: Hasher, count: int) -> list[bytes]:
    return [hasher.leaf(f"record {n}".encode()) for n in range(count)]


def test_the_empty_tree_and_the_known_roots():
    assert merkle.root(SHA256, []).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    hashes = [SHA256.leaf(data) for data in CT_LEAVES]
    assert [merkle.root(SHA256, hashes[:size]).hex() for size in range(1, 9)] == CT_ROOTS


def test_sm3_is_the_standard_sm3():
    assert Hasher("sm3").digest(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"  # GB/T 32905
    assert merkle.root(Hasher("sm3"), _leaves(Hasher("sm3"), 5)) != merkle.root(SHA256, _leaves(SHA256, 5))


def test_an_unknown_hash_is_refused():
    with pytest.raises(ValueError, match="unknown tree hash"):
        Hasher("md5")


def test_the_rfc_examples_of_a_tree_of_seven():
    # RFC 6962 §2.1.3: leaves a…f and d6 (j), g = (a b), h = (c d), i = (e f), k = (g h), l = (i j).
    hashes = _leaves(SHA256, 7)
    a, b, c, d, e, f, j = hashes
    g, h, i = SHA256.node(a, b), SHA256.node(c, d), SHA256.node(e, f)
    k, l = SHA256.node(g, h), SHA256.node(i, j)  # noqa: E741  (the RFC's names)
    assert merkle.root(SHA256, hashes) == SHA256.node(k, l)
    assert merkle.inclusion_proof(SHA256, 0, hashes) == [b, h, l]
    assert merkle.inclusion_proof(SHA256, 3, hashes) == [c, g, l]
    assert merkle.inclusion_proof(SHA256, 4, hashes) == [f, j, k]
    assert merkle.inclusion_proof(SHA256, 6, hashes) == [i, k]
    assert merkle.consistency_proof(SHA256, 3, hashes) == [c, d, g, l]
    assert merkle.consistency_proof(SHA256, 4, hashes) == [l]
    assert merkle.consistency_proof(SHA256, 6, hashes) == [i, j, k]


@pytest.mark.parametrize("hasher", HASHERS, ids=lambda hasher: hasher.name)
def test_the_frontier_gives_the_root_at_every_size_and_resumes_from_a_copy(hasher):
    hashes = _leaves(hasher, 40)
    frontier = Frontier(hasher)
    assert frontier.root() == hasher.empty()
    for size, leaf in enumerate(hashes, start=1):
        frontier.append(leaf)
        assert frontier.size == size and len(frontier.hashes) == size.bit_count()
        assert frontier.root() == merkle.root(hasher, hashes[:size])
        resumed = Frontier(hasher, frontier.size, list(frontier.hashes))
        for later in hashes[size:]:
            resumed.append(later)
        assert resumed.root() == merkle.root(hasher, hashes)


def test_a_frontier_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="frontier hashes"):
        Frontier(SHA256, 5, [b"x" * 32])


@pytest.mark.parametrize("hasher", HASHERS, ids=lambda hasher: hasher.name)
def test_every_inclusion_proof_up_to_40_verifies_and_any_change_fails(hasher):
    hashes = _leaves(hasher, 40)
    for size in range(1, 41):
        tree, root = hashes[:size], merkle.root(hasher, hashes[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(hasher, index, tree)
            assert merkle.verify_inclusion(hasher, index, size, tree[index], proof, root)
            assert not merkle.verify_inclusion(hasher, index, size, hasher.leaf(b"forged"), proof, root)
            if size < 40:  # the proof for one size does not place the leaf in the next tree
                assert not merkle.verify_inclusion(hasher, index, size + 1, tree[index], proof, merkle.root(hasher, hashes[:size + 1]))
            assert not merkle.verify_inclusion(hasher, index, size, tree[index], proof, hasher.leaf(b"other root"))
            if size > 1:
                assert not merkle.verify_inclusion(hasher, (index + 1) % size, size, tree[index], proof, root)
            for position in range(len(proof)):
                tampered = [*proof[:position], hasher.leaf(b"x"), *proof[position + 1:]]
                assert not merkle.verify_inclusion(hasher, index, size, tree[index], tampered, root)
            if proof:
                assert not merkle.verify_inclusion(hasher, index, size, tree[index], proof[:-1], root)
            assert not merkle.verify_inclusion(hasher, index, size, tree[index], [*proof, hasher.leaf(b"extra")], root)
        assert not merkle.verify_inclusion(hasher, size, size, hashes[0], [], root)


@pytest.mark.parametrize("hasher", HASHERS, ids=lambda hasher: hasher.name)
def test_every_consistency_proof_up_to_40_verifies_and_any_change_fails(hasher):
    hashes = _leaves(hasher, 40)
    roots = [merkle.root(hasher, hashes[:size]) for size in range(41)]
    for second in range(1, 41):
        for first in range(second + 1):
            proof = merkle.consistency_proof(hasher, first, hashes[:second])
            assert merkle.verify_consistency(hasher, first, second, roots[first], roots[second], proof)
            if first in (0, second):
                assert proof == []
                continue
            assert not merkle.verify_consistency(hasher, first, second, hasher.leaf(b"x"), roots[second], proof)
            assert not merkle.verify_consistency(hasher, first, second, roots[first], hasher.leaf(b"x"), proof)
            assert not merkle.verify_consistency(hasher, first, second, roots[first], roots[second], proof[:-1])
            assert not merkle.verify_consistency(hasher, first, second, roots[first], roots[second], [])
            for position in range(len(proof)):
                tampered = [*proof[:position], hasher.leaf(b"x"), *proof[position + 1:]]
                assert not merkle.verify_consistency(hasher, first, second, roots[first], roots[second], tampered)
            # A tree that forked after ``first``: same prefix, different later leaves.
            forked = [*hashes[:first], *(hasher.leaf(b"fork %d" % n) for n in range(second - first))]
            assert not merkle.verify_consistency(hasher, first, second, roots[first], merkle.root(hasher, forked), proof)
    assert not merkle.verify_consistency(hasher, 5, 4, roots[5], roots[4], [])


def test_proofs_for_leaves_or_sizes_outside_the_tree_are_refused():
    hashes = _leaves(SHA256, 4)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(SHA256, 4, hashes)
    with pytest.raises(ValueError):
        merkle.consistency_proof(SHA256, 5, hashes)
