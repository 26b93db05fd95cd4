/* Whole words of a small set, found in a space-separated byte string at C speed (`triggers.WordSet`).
 *
 * The trigger pass looks for a hundred-odd words (street types, number words, house numbers
 * OCR'd as letters) in every text it scans. A trie regex over the padded bytes costs about 8 ms
 * per MB: `re` stops at every space to try the trie. Here each word of the text is looked up
 * once in a small open hash table: about 1.2 ms per MB for all of them (the spaces found 64
 * bytes at a time; a word's length, first two and last two bytes tested before it is hashed).
 * Each word carries tag bits saying which of the caller's sets hold it. `triggers.py` falls
 * back to the regex when this module was not built; the tests hold the two to the same answers. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_native.h"
#include <stdint.h>
#include <string.h>

#define MAX_WORD 32 /* longer words are never sought (the table refuses them) */

typedef struct {
    PyObject_HEAD
    Py_ssize_t slots; /* a power of two, at least twice the words */
    char (*words)[MAX_WORD + 1]; /* slot -> word, "" when free */
    uint8_t *sizes, *tags;
    uint64_t lengths; /* bit n: some word has n bytes */
    uint8_t starts[65536 / 8]; /* bit (first byte << 8 | second byte; 0 for a one-byte word): some word starts so */
    uint8_t ends[65536 / 8]; /* bit (last byte but one << 8 | last byte; 0 first for a one-byte word): ends so */
} WordSet;

static uint64_t fnv(const uint8_t *s, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static Py_ssize_t slot_of(const WordSet *w, const uint8_t *s, Py_ssize_t n) {
    Py_ssize_t i = (Py_ssize_t)(fnv(s, n) & (uint64_t)(w->slots - 1));
    while (w->sizes[i] && !(w->sizes[i] == n && memcmp(w->words[i], s, (size_t)n) == 0))
        i = (i + 1) & (w->slots - 1);
    return i;
}

static void WordSet_dealloc(WordSet *self) {
    PyMem_Free(self->words);
    PyMem_Free(self->sizes);
    PyMem_Free(self->tags);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int WordSet_init(WordSet *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"words", NULL};
    PyObject *words;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O", names, &words)) return -1;
    PyObject *seq = PySequence_Fast(words, "WordSet() takes a sequence of (bytes, tag)");
    if (seq == NULL) return -1;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq), slots = 16;
    while (slots < 2 * count + 2) slots *= 2;
    PyMem_Free(self->words);
    PyMem_Free(self->sizes);
    PyMem_Free(self->tags);
    self->words = PyMem_Calloc((size_t)slots, MAX_WORD + 1);
    self->sizes = PyMem_Calloc((size_t)slots, 1);
    self->tags = PyMem_Calloc((size_t)slots, 1);
    self->slots = 0; /* unusable until filled */
    self->lengths = 0;
    memset(self->starts, 0, sizeof self->starts);
    memset(self->ends, 0, sizeof self->ends);
    if (self->words == NULL || self->sizes == NULL || self->tags == NULL) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    self->slots = slots;
    for (Py_ssize_t k = 0; k < count; k++) {
        char *s;
        Py_ssize_t n;
        int tag;
        PyObject *pair = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyTuple_Check(pair)) {
            PyErr_SetString(PyExc_TypeError, "WordSet(): each item is a (bytes, tag) tuple");
            goto bad;
        }
        if (!PyArg_ParseTuple(pair, "y#i", &s, &n, &tag)) goto bad;
        if (n < 1 || n > MAX_WORD || memchr(s, ' ', (size_t)n) != NULL || tag < 1 || tag > 255) {
            PyErr_SetString(PyExc_ValueError, "WordSet(): each word is 1..32 bytes with no space, its tag 1..255");
            goto bad;
        }
        Py_ssize_t i = slot_of(self, (const uint8_t *)s, n);
        memcpy(self->words[i], s, (size_t)n);
        self->sizes[i] = (uint8_t)n;
        self->tags[i] |= (uint8_t)tag;
        self->lengths |= 1ULL << n;
        unsigned start = (unsigned)(uint8_t)s[0] << 8 | (n > 1 ? (uint8_t)s[1] : 0);
        unsigned end = (n > 1 ? (unsigned)(uint8_t)s[n - 2] << 8 : 0) | (uint8_t)s[n - 1];
        self->starts[start >> 3] |= (uint8_t)(1u << (start & 7));
        self->ends[end >> 3] |= (uint8_t)(1u << (end & 7));
    }
    Py_DECREF(seq);
    return 0;
bad:
    self->slots = 0;
    Py_DECREF(seq);
    return -1;
}

/* Bit k set where byte k of the 8 at `p` is a space (SWAR: no branch per byte). */
static inline uint64_t spaces8(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    uint64_t x = v ^ 0x2020202020202020ULL;
    uint64_t t = ~((((x & 0x7F7F7F7F7F7F7F7FULL) + 0x7F7F7F7F7F7F7F7FULL) | x)) & 0x8080808080808080ULL;
    return (t >> 7) * 0x0102040810204080ULL >> 56;
}

/* Bit k set where byte k of the 64 at `p` is a space. */
static inline uint64_t spaces64(const uint8_t *p) {
    uint64_t m = 0;
    for (int k = 0; k < 8; k++) m |= spaces8(p + 8 * k) << (8 * k);
    return m;
}

/* The word [start, end) of `s`: appended to `out` as (start, end, tags) when it is one of the set. */
static int consider(WordSet *self, const uint8_t *s, Py_ssize_t start, Py_ssize_t end, PyObject *out) {
    Py_ssize_t size = end - start;
    if (size > MAX_WORD || !(self->lengths >> size & 1)) return 0;
    /* most words of a text start or end with two letters no sought word does: no hashing */
    unsigned two = (unsigned)s[start] << 8 | (size > 1 ? s[start + 1] : 0);
    if (!(self->starts[two >> 3] >> (two & 7) & 1)) return 0;
    unsigned last = (size > 1 ? (unsigned)s[end - 2] << 8 : 0) | s[end - 1];
    if (!(self->ends[last >> 3] >> (last & 7) & 1)) return 0;
    Py_ssize_t slot = slot_of(self, s + start, size);
    if (!self->sizes[slot]) return 0;
    PyObject *span = Py_BuildValue("(nni)", start, end, (int)self->tags[slot]);
    int failed = span == NULL || PyList_Append(out, span) < 0;
    Py_XDECREF(span);
    return failed ? -1 : 0;
}

/* spans(padded) -> [(start, end, tags)] of each run of non-space bytes of `padded` that is a
 * word of the set, in order (positions in `padded`). The text is read 64 bytes at a time as a
 * mask of its spaces, and the words' starts are the mask's set bits: a loop per byte and per
 * word mispredicted a branch at each word's end (2.4 ms per MB of prose, against 0.9 ms for
 * words of one length). */
static PyObject *WordSet_spans(WordSet *self, PyObject *arg) {
    Py_buffer b;
    if (PyObject_GetBuffer(arg, &b, PyBUF_SIMPLE) < 0) return NULL;
    const uint8_t *s = b.buf;
    Py_ssize_t n = b.len;
    PyObject *out = PyList_New(0);
    uint64_t carry = 0; /* 1: the byte before the block is not a space */
    for (Py_ssize_t base = 0; out != NULL && self->slots != 0 && base < n; base += 64) {
        uint64_t sp;
        if (n - base >= 64) {
            sp = spaces64(s + base);
        } else {
            uint8_t tail[64];
            memset(tail, ' ', 64);
            memcpy(tail, s + base, (size_t)(n - base));
            sp = spaces64(tail);
        }
        uint64_t word = ~sp, starts = word & ~(word << 1 | carry);
        carry = word >> 63;
        while (starts) {
            int k = __builtin_ctzll(starts);
            starts &= starts - 1;
            uint64_t rest = sp >> k; /* k < 64 */
            Py_ssize_t start = base + k, end;
            if (rest) {
                end = start + __builtin_ctzll(rest);
            } else { /* the word runs into the next block */
                end = base + 64;
                while (end < n && s[end] != ' ') end++;
            }
            if (end > n) end = n; /* (the tail's padding is spaces: never past n) */
            if (consider(self, s, start, end, out) < 0) Py_CLEAR(out);
            if (out == NULL) break;
        }
    }
    PyBuffer_Release(&b);
    return out;
}

static PyMethodDef WordSet_methods[] = {
    {"spans", (PyCFunction)WordSet_spans, METH_O,
     "spans(padded) -> [(start, end, tags)] of each space-separated run of `padded` that is one of the words."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject WordSetType = { /* added to the module by _native.c */
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mailguard.detect.register._native.WordSet",
    .tp_basicsize = sizeof(WordSet),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordSet([(word, tag)]): words (bytes, 1..32 each, no space) found whole in space-separated bytes.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)WordSet_init,
    .tp_dealloc = (destructor)WordSet_dealloc,
    .tp_methods = WordSet_methods,
};
