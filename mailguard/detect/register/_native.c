/* The register's keyed hashing, compiled: HMAC-SHA256 of many short strings, and the typo
 * look-up of `fuzzy.Near.near` (hash every deletion variant of a text string, test the variant
 * bitmap, bisect the variant table). In Python each HMAC costs about 1.7 us of interpreter
 * work around 0.17 us of hashing; a list of unknown street names hashes hundreds of variants
 * per name. `keys.py` and `fuzzy.py` use this module when it was built and fall back to their
 * own Python otherwise; the tests hold the two to the same answers.
 *
 * SHA-256 is OpenSSL's (as Python's hashlib uses): its SHA256_CTX can be copied after the padded
 * key is absorbed, and it uses the CPU's SHA instructions where there are some (0.17 us an HMAC
 * here, against 0.67 us for a plain C SHA-256). Those calls are deprecated in OpenSSL 3 for the
 * EVP interface, whose per-call dispatch would cost more than the hash itself.
 *
 * Here too: the look-up directory and the street-prefix test (`trigram_in`), which hash and
 * bisect. The module also holds the trigger pass's word finder (`_words.c`) and its walk over
 * digit-bearing tokens (`_triggers.c`), and the row decoder (`_record.c`), each in its own file
 * and each with its Python fallback beside its caller. */

#define PY_SSIZE_T_CLEAN
#define OPENSSL_SUPPRESS_DEPRECATED
#include <Python.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

#include "_native.h"

/* ---- Hasher: HMAC-SHA256 (RFC 2104) with its padded key absorbed once, the first 40 bits ---- */

typedef struct {
    PyObject_HEAD
    SHA256_CTX inner, outer;
} Hasher;

static uint64_t hmac40(const Hasher *k, const uint8_t *msg, size_t n) {
    SHA256_CTX s = k->inner;
    uint8_t d[32];
    SHA256_Update(&s, msg, n);
    SHA256_Final(d, &s);
    s = k->outer;
    SHA256_Update(&s, d, 32);
    SHA256_Final(d, &s);
    return (uint64_t)d[0] << 32 | (uint64_t)d[1] << 24 | (uint64_t)d[2] << 16 | (uint64_t)d[3] << 8 | d[4];
}

static int Hasher_init(Hasher *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"key", NULL};
    Py_buffer key;
    uint8_t block[64] = {0}, pad[64];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*", names, &key)) return -1;
    if (key.len > 64) {
        SHA256_CTX s;
        SHA256_Init(&s);
        SHA256_Update(&s, key.buf, (size_t)key.len);
        SHA256_Final(block, &s);
    } else {
        memcpy(block, key.buf, (size_t)key.len);
    }
    PyBuffer_Release(&key);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x36;
    SHA256_Init(&self->inner);
    SHA256_Update(&self->inner, pad, 64);
    for (int i = 0; i < 64; i++) pad[i] = block[i] ^ 0x5c;
    SHA256_Init(&self->outer);
    SHA256_Update(&self->outer, pad, 64);
    return 0;
}

static PyObject *Hasher_hash(Hasher *self, PyObject *part) {
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(part, &n);
    if (s == NULL) return NULL;
    return PyLong_FromUnsignedLongLong(hmac40(self, (const uint8_t *)s, (size_t)n));
}

static PyObject *Hasher_hashes(Hasher *self, PyObject *parts) {
    PyObject *seq = PySequence_Fast(parts, "hashes() takes a sequence of str");
    if (seq == NULL) return NULL;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(count);
    if (out == NULL) goto fail;
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(items[i], &n);
        if (s == NULL) goto fail;
        PyObject *h = PyLong_FromUnsignedLongLong(hmac40(self, (const uint8_t *)s, (size_t)n));
        if (h == NULL) goto fail;
        PyList_SET_ITEM(out, i, h);
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_XDECREF(out);
    Py_DECREF(seq);
    return NULL;
}

/* The first index of `want` or of the first value above it in a sorted array (bisect_left). */
static Py_ssize_t bisect(const uint64_t *a, Py_ssize_t n, uint64_t want) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (a[mid] < want) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* The range of the sorted table where entries of hash `h` lie, from a directory (see
 * `directory`): [*lo, *hi). Without one (or a malformed one), the whole table. */
static void bucket(const uint64_t *dir, Py_ssize_t dir_len, Py_ssize_t count, uint64_t h, Py_ssize_t *lo,
                   Py_ssize_t *hi) {
    *lo = 0, *hi = count;
    if (dir == NULL || dir_len < 2) return;
    uint64_t buckets = (uint64_t)dir_len - 1; /* a power of two, 2**bits */
    if (buckets & (buckets - 1) || buckets > (1ULL << 24)) return;
    uint64_t b = h >> (40 - __builtin_ctzll(buckets));
    if (dir[b] <= dir[b + 1] && dir[b + 1] <= (uint64_t)count) *lo = (Py_ssize_t)dir[b], *hi = (Py_ssize_t)dir[b + 1];
}

/* find(part, table, shift[, directory]) -> the low `shift` bits of each entry of the sorted table
 * whose high bits are the part's hash: a look-up key's rows (`index.CompiledIndex.lookup`), or,
 * with shift 0, [0] when a hashed word is in a sorted set (`index.HashedWords`). A directory
 * narrows the bisection to the entries of the hash's top bits: at 1,000,000 rows the key table
 * is 57 MB, and a bisection over all of it missed the cache a dozen times a look-up. */
static PyObject *Hasher_find(Hasher *self, PyObject *args) {
    PyObject *part;
    Py_buffer table, dir = {0};
    int shift;
    if (!PyArg_ParseTuple(args, "Uy*i|y*", &part, &table, &shift, &dir)) return NULL;
    PyObject *out = NULL;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(part, &n);
    if (s == NULL) goto done;
    if (shift < 0 || shift > 24) {
        PyErr_SetString(PyExc_ValueError, "find(): shift must be 0..24");
        goto done;
    }
    const uint64_t *a = table.buf, h = hmac40(self, (const uint8_t *)s, (size_t)n);
    Py_ssize_t count = table.len / 8, lo, hi;
    bucket(dir.buf, dir.buf == NULL ? 0 : dir.len / 8, count, h, &lo, &hi);
    Py_ssize_t i = lo + bisect(a + lo, hi - lo, h << shift);
    out = PyList_New(0);
    for (; out != NULL && i < count && a[i] >> shift == h; i++) {
        PyObject *row = PyLong_FromUnsignedLongLong(a[i] & ((1ULL << shift) - 1));
        if (row == NULL || PyList_Append(out, row) < 0) Py_CLEAR(out);
        Py_XDECREF(row);
    }
done:
    PyBuffer_Release(&table);
    if (dir.buf != NULL) PyBuffer_Release(&dir);
    return out;
}

static int trigram_code(Py_UCS4 c) {
    return c >= 'a' && c <= 'z' ? (int)(c - 'a') : c >= '0' && c <= '9' ? 26 + (int)(c - '0') : -1;
}

/* trigram_in(text, lo, hi, prefix, wanted, cache) -> whether the hash of prefix + some three
 * [a-z0-9] characters written in text[lo:hi] is in `wanted` (a set of ints): `match.Matcher
 * ._prefix_in`, which a list of postcodes asks of the 110 characters before each one. `cache`
 * (a bytearray of 36**3 * 8 bytes, zeroed) keeps each trigram's hash plus one, per register. */
static PyObject *Hasher_trigram_in(Hasher *self, PyObject *args) {
    PyObject *text, *wanted;
    Py_ssize_t lo, hi;
    const char *prefix;
    Py_ssize_t plen;
    Py_buffer cache;
    if (!PyArg_ParseTuple(args, "Unns#Ow*", &text, &lo, &hi, &prefix, &plen, &wanted, &cache)) return NULL;
    PyObject *out = NULL;
    uint64_t want[64];
    Py_ssize_t n_want = 0;
    if (cache.len != 36 * 36 * 36 * 8 || plen > 16 || !PyAnySet_Check(wanted)) {
        PyErr_SetString(PyExc_ValueError, "trigram_in(): a cache of 36**3 words, a short prefix, a set");
        goto done;
    }
    PyObject *it = PyObject_GetIter(wanted), *item;
    if (it == NULL) goto done;
    while ((item = PyIter_Next(it)) != NULL) {
        uint64_t v = PyLong_AsUnsignedLongLong(item);
        Py_DECREF(item);
        if (v == (uint64_t)-1 && PyErr_Occurred()) PyErr_Clear(); /* no hash is negative or that big */
        else if (n_want < 64) want[n_want++] = v;
        else n_want = -1; /* too many to hold: the caller's Python path */
        if (n_want < 0) break;
    }
    Py_DECREF(it);
    if (PyErr_Occurred()) goto done;
    if (n_want < 0) {
        out = Py_NewRef(Py_None);
        goto done;
    }
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (lo < 0) lo = 0;
    if (hi > n) hi = n;
    uint64_t *hashes = cache.buf;
    uint8_t buf[24];
    memcpy(buf, prefix, (size_t)plen);
    int c0 = -1, c1 = -1;
    for (Py_ssize_t p = lo; p < hi; p++) {
        int c2 = trigram_code(PyUnicode_READ(kind, data, p));
        if (c0 >= 0 && c1 >= 0 && c2 >= 0) {
            Py_ssize_t code = (c0 * 36 + c1) * 36 + c2;
            if (hashes[code] == 0) {
                for (int k = 0; k < 3; k++) {
                    Py_UCS4 ch = PyUnicode_READ(kind, data, p - 2 + k);
                    buf[plen + k] = (uint8_t)ch;
                }
                hashes[code] = hmac40(self, buf, (size_t)plen + 3) + 1;
            }
            uint64_t h = hashes[code] - 1;
            for (Py_ssize_t k = 0; k < n_want; k++) {
                if (want[k] == h) {
                    out = Py_NewRef(Py_True);
                    goto done;
                }
            }
        }
        c0 = c1, c1 = c2;
    }
    out = Py_NewRef(Py_False);
done:
    PyBuffer_Release(&cache);
    return out;
}

/* directory(table, shift, bits) -> 2**bits + 1 uint64 offsets (bytes): the entries of the sorted
 * table whose hash (entry >> shift, 40 bits) has top bits b are at offsets b .. b + 1. One pass
 * over the table (a few ms for 7 million entries, when the index is opened). */
static PyObject *directory(PyObject *module, PyObject *args) {
    Py_buffer table;
    int shift, bits;
    if (!PyArg_ParseTuple(args, "y*ii", &table, &shift, &bits)) return NULL;
    PyObject *out = NULL;
    if (shift < 0 || shift > 24 || bits < 0 || bits > 24) {
        PyErr_SetString(PyExc_ValueError, "directory(): shift and bits must be 0..24");
        goto done;
    }
    Py_ssize_t buckets = (Py_ssize_t)1 << bits, count = table.len / 8, i = 0;
    out = PyBytes_FromStringAndSize(NULL, (buckets + 1) * 8);
    if (out == NULL) goto done;
    uint64_t *d = (uint64_t *)PyBytes_AS_STRING(out);
    const uint64_t *a = table.buf;
    for (Py_ssize_t b = 0; b <= buckets; b++) {
        while (i < count && (a[i] >> shift >> (40 - bits)) < (uint64_t)b) i++;
        d[b] = (uint64_t)i;
    }
done:
    PyBuffer_Release(&table);
    return out;
}

/* One variant: hash prefix + variant, test the bitmap, append (name, edits) of each table entry
 * of that hash (the table holds `variant hash << 2 | its deletions`, sorted). */
typedef struct {
    const Hasher *hasher;
    const uint64_t *keys, *names;
    Py_ssize_t n_keys;
    const uint8_t *bits;
    uint64_t mask;
    PyObject *found;
} Search;

static int look_up(Search *q, const uint8_t *variant, size_t n, int deleted) {
    uint64_t h = hmac40(q->hasher, variant, n), b = h & q->mask;
    if (!(q->bits[b >> 3] >> (b & 7) & 1)) return 0; /* no variant has this hash: most strings */
    Py_ssize_t lo = bisect(q->keys, q->n_keys, h << 2);
    for (; lo < q->n_keys && q->keys[lo] >> 2 == h; lo++) {
        int stored = (int)(q->keys[lo] & 3), edits = deleted > stored ? deleted : stored;
        PyObject *pair = Py_BuildValue("(Ki)", (unsigned long long)q->names[lo], edits);
        if (pair == NULL || PyList_Append(q->found, pair) < 0) {
            Py_XDECREF(pair);
            return -1;
        }
        Py_DECREF(pair);
    }
    return 0;
}

#define MAX_TEXT 256

/* near(text, tier, done, prefix, keys, names, bits) -> (variants hashed, [(name, edits)]), or
 * None when `text` is not ASCII (the caller's Python handles it). The variants are those of
 * `fuzzy.deletions(text, tier)` with more than `done` deletions, each distinct string once: a
 * deletion is skipped where deleting the letter before gives the same string. */
static PyObject *Hasher_near(Hasher *self, PyObject *args) {
    PyObject *text;
    int tier, done;
    const char *prefix;
    Py_ssize_t plen;
    Py_buffer keys, names, bits;
    if (!PyArg_ParseTuple(args, "Uiis#y*y*y*", &text, &tier, &done, &prefix, &plen, &keys, &names, &bits))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (names.len < keys.len) {
        PyErr_SetString(PyExc_ValueError, "near(): fewer names than variant keys");
        goto done_buffers;
    }
    if (!PyUnicode_IS_ASCII(text) || n > MAX_TEXT || plen > 16 || tier > 2 || bits.len == 0) {
        result = Py_NewRef(Py_None);
        goto done_buffers;
    }
    const uint8_t *w = PyUnicode_1BYTE_DATA(text);
    uint8_t buf[16 + MAX_TEXT];
    memcpy(buf, prefix, (size_t)plen);
    uint8_t *v = buf + plen;
    Search q = {self, keys.buf, names.buf, keys.len / 8, bits.buf, (uint64_t)bits.len * 8 - 1, PyList_New(0)};
    if (q.found == NULL) goto done_buffers;
    long count = 0;
    if (done < 0 && tier >= 0) {
        memcpy(v, w, (size_t)n);
        count++;
        if (look_up(&q, buf, (size_t)(plen + n), 0) < 0) goto fail;
    }
    if (done < 1 && tier >= 1 && n > 1) {
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i && w[i] == w[i - 1]) continue;
            memcpy(v, w, (size_t)i);
            memcpy(v + i, w + i + 1, (size_t)(n - i - 1));
            count++;
            if (look_up(&q, buf, (size_t)(plen + n - 1), 1) < 0) goto fail;
        }
    }
    if (done < 2 && tier >= 2 && n > 2) {
        for (Py_ssize_t i = 0; i < n; i++) {
            if (i && w[i] == w[i - 1]) continue;
            for (Py_ssize_t j = i + 1; j < n; j++) {
                Py_ssize_t before = j - 1 == i ? i - 1 : j - 1; /* the letter before j once i is gone */
                if (before >= 0 && w[before] == w[j]) continue;
                memcpy(v, w, (size_t)i);
                memcpy(v + i, w + i + 1, (size_t)(j - i - 1));
                memcpy(v + j - 1, w + j + 1, (size_t)(n - j - 1));
                count++;
                if (look_up(&q, buf, (size_t)(plen + n - 2), 2) < 0) goto fail;
            }
        }
    }
    result = Py_BuildValue("(lN)", count, q.found);
    goto done_buffers;
fail:
    Py_DECREF(q.found);
done_buffers:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&names);
    PyBuffer_Release(&bits);
    return result;
}

static PyMethodDef Hasher_methods[] = {
    {"hash", (PyCFunction)Hasher_hash, METH_O, "The first 40 bits of HMAC-SHA256(key, part as UTF-8), as an int."},
    {"hashes", (PyCFunction)Hasher_hashes, METH_O, "`hash` of each part of a sequence of str, as a list."},
    {"find", (PyCFunction)Hasher_find, METH_VARARGS,
     "find(part, table, shift[, directory]) -> the low `shift` bits of the sorted table's entries of the part's hash."},
    {"trigram_in", (PyCFunction)Hasher_trigram_in, METH_VARARGS,
     "trigram_in(text, lo, hi, prefix, wanted, cache) -> whether a trigram of text[lo:hi] hashes into wanted."},
    {"near", (PyCFunction)Hasher_near, METH_VARARGS,
     "near(text, tier, done, prefix, keys, names, bits) -> (variants hashed, [(name, edits)]) or None."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject HasherType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mailguard.detect.register._native.Hasher",
    .tp_basicsize = sizeof(Hasher),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "HMAC-SHA256 keyed by `key`, its padded key absorbed once.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Hasher_init,
    .tp_methods = Hasher_methods,
};

static PyMethodDef module_methods[] = {
    {"directory", directory, METH_VARARGS,
     "directory(table, shift, bits) -> bytes: where each top-bits bucket of the sorted table starts."},
    {"digit_tokens", digit_tokens, METH_VARARGS,
     "digit_tokens(text, classes, phones, postcode, phone_at, postcodes, numbers, phone_list): "
     "triggers._digit_tokens, appending to the three lists."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_native",
    .m_methods = module_methods,
    .m_doc = "The register's compiled parts: keyed hashing and look-ups, the trigger pass's word finder and "
             "token walk, the row decoder.",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__native(void) {
    PyTypeObject *types[] = {&HasherType, &WordSetType, &RecordsType};
    const char *names[] = {"Hasher", "WordSet", "Records"};
    for (int k = 0; k < 3; k++)
        if (PyType_Ready(types[k]) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) return NULL;
    for (int k = 0; k < 3; k++) {
        if (PyModule_AddObjectRef(m, names[k], (PyObject *)types[k]) < 0) {
            Py_DECREF(m);
            return NULL;
        }
    }
    return m;
}
