/* A row's record decoded into its `record.Row`, compiled (`index.CompiledIndex.row`).
 *
 * An address-dense text at 1,000,000 rows decodes a row per candidate, about 700 per MB: in
 * Python each costs 7 us (slicing the record out of the image, a list of its words, a loop
 * over them, the row's parts built one by one). Here the words are read in place from the
 * image and the parts built directly: about 1.5 us. `record.decode` is the definition and the
 * fallback where this module was not built; the tests hold the two to the same rows.
 *
 * Each word is `tag << 56 | detail << 40 | hash40` (see record.py). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_native.h"
#include <stdint.h>

enum { NUMBER = 1, BASE, FLAT, POSTCODE, OUTWARD, INWARD, STREET, KIND, PREFIX, HOUSE, PLACE, PLACE_FIRST, PHONE, EMAIL, PO_BOX };
#define H40 ((1ULL << 40) - 1)
#define MAX_PARTS 64 /* streets or places of one row: a record has a handful */

typedef struct {
    PyObject_HEAD
    PyObject *records, *offsets, *ids, *id_offsets; /* memoryviews over the image ('Q', 'Q', bytes, 'Q') */
    PyObject *row, *street, *place, *house, *probe; /* record.Row, Street, Place, HouseName; the index's Probe */
} Records;

static void Records_dealloc(Records *self) {
    Py_XDECREF(self->records);
    Py_XDECREF(self->offsets);
    Py_XDECREF(self->ids);
    Py_XDECREF(self->id_offsets);
    Py_XDECREF(self->row);
    Py_XDECREF(self->street);
    Py_XDECREF(self->place);
    Py_XDECREF(self->house);
    Py_XDECREF(self->probe);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Records_init(Records *self, PyObject *args, PyObject *kwds) {
    static char *names[] = {"records", "offsets", "ids", "id_offsets", "row", "street", "place", "house", "probe", NULL};
    PyObject *o[9];
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOOO", names, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                                     &o[6], &o[7], &o[8]))
        return -1;
    PyObject **slots[9] = {&self->records, &self->offsets, &self->ids, &self->id_offsets, &self->row,
                           &self->street, &self->place, &self->house, &self->probe};
    for (int k = 0; k < 9; k++) Py_XSETREF(*slots[k], Py_NewRef(o[k]));
    return 0;
}

typedef struct {
    Py_buffer b[4]; /* records, offsets, ids, id_offsets */
    int held;
} Views;

static void release(Views *v) {
    for (int k = 0; k < v->held; k++) PyBuffer_Release(&v->b[k]);
    v->held = 0;
}

static int acquire(Records *self, Views *v) {
    PyObject *objs[4] = {self->records, self->offsets, self->ids, self->id_offsets};
    v->held = 0;
    for (int k = 0; k < 4; k++) {
        if (PyObject_GetBuffer(objs[k], &v->b[k], PyBUF_SIMPLE) < 0) {
            release(v);
            return -1;
        }
        v->held++;
    }
    return 0;
}

/* Frozensets of the hashes of one tag; NULL on error. */
static PyObject *hash_set(const uint64_t *w, Py_ssize_t n, int tag) {
    PyObject *out = PyFrozenSet_New(NULL);
    for (Py_ssize_t i = 0; out != NULL && i < n; i++) {
        if ((int)(w[i] >> 56) != tag) continue;
        PyObject *h = PyLong_FromUnsignedLongLong(w[i] & H40);
        if (h == NULL || PySet_Add(out, h) < 0) Py_CLEAR(out);
        Py_XDECREF(h);
    }
    return out;
}

static PyObject *decode(Records *self, const uint64_t *w, Py_ssize_t n, PyObject *rid) {
    uint64_t single[INWARD + 1] = {0};
    uint64_t st[MAX_PARTS][6], pl[MAX_PARTS][4]; /* Street and Place fields */
    int n_st = 0, n_pl = 0, po_box = 0;
    PyObject *house = Py_NewRef(Py_None);
    for (Py_ssize_t i = 0; i < n; i++) {
        int tag = (int)(w[i] >> 56);
        uint64_t h = w[i] & H40, d = w[i] >> 40 & 0xFFFF;
        if (tag >= NUMBER && tag <= INWARD) {
            single[tag] = h;
        } else if (tag == STREET) {
            if (n_st == MAX_PARTS) goto too_many;
            uint64_t *s = st[n_st++];
            s[0] = d & 15, s[1] = h, s[2] = 0, s[3] = (d >> 4 & 3), s[4] = (d >> 6 & 3), s[5] = (d >> 8) != 0;
        } else if (tag == KIND) {
            if (n_st == 0) goto out_of_order;
            st[n_st - 1][2] = h;
        } else if (tag == PLACE) {
            if (n_pl == MAX_PARTS) goto too_many;
            uint64_t *p = pl[n_pl++];
            p[0] = d & 15, p[1] = h, p[2] = d >> 4, p[3] = 0;
        } else if (tag == PLACE_FIRST) {
            if (n_pl == 0) goto out_of_order;
            pl[n_pl - 1][3] = h;
        } else if (tag == HOUSE) {
            Py_SETREF(house, PyObject_CallFunction(self->house, "KKL", (unsigned long long)(d & 15),
                                                   (unsigned long long)h, (long long)(d >> 4) - 1));
            if (house == NULL) return NULL;
        } else if (tag == PO_BOX) {
            po_box = 1;
        }
    }
    PyObject *streets = PyTuple_New(n_st), *places = PyTuple_New(n_pl), *row = NULL;
    PyObject *prefixes = hash_set(w, n, PREFIX), *phones = hash_set(w, n, PHONE), *emails = hash_set(w, n, EMAIL);
    if (streets == NULL || places == NULL || prefixes == NULL || phones == NULL || emails == NULL) goto done;
    for (int k = 0; k < n_st; k++) {
        uint64_t *s = st[k];
        /* (strict, loose) are stored plus one: -1 (none) is 0 */
        PyObject *one = PyObject_CallFunction(self->street, "KKKLLO", (unsigned long long)s[0], (unsigned long long)s[1],
                                              (unsigned long long)s[2], (long long)s[3] - 1, (long long)s[4] - 1,
                                              s[5] ? Py_True : Py_False);
        if (one == NULL) goto done;
        PyTuple_SET_ITEM(streets, k, one);
    }
    for (int k = 0; k < n_pl; k++) {
        uint64_t *p = pl[k];
        PyObject *one = PyObject_CallFunction(self->place, "KKLK", (unsigned long long)p[0], (unsigned long long)p[1],
                                              (long long)p[2] - 1, (unsigned long long)p[3]);
        if (one == NULL) goto done;
        PyTuple_SET_ITEM(places, k, one);
    }
    row = PyObject_CallFunction(self->row, "OOKKKKKKOOOOOOO", rid, self->probe, (unsigned long long)single[NUMBER],
                                (unsigned long long)single[BASE], (unsigned long long)single[FLAT],
                                (unsigned long long)single[POSTCODE], (unsigned long long)single[OUTWARD],
                                (unsigned long long)single[INWARD], streets, prefixes, house, places, phones, emails,
                                po_box ? Py_True : Py_False);
done:
    Py_XDECREF(streets);
    Py_XDECREF(places);
    Py_XDECREF(prefixes);
    Py_XDECREF(phones);
    Py_XDECREF(emails);
    Py_DECREF(house);
    return row;
too_many:
    Py_DECREF(house);
    PyErr_SetString(PyExc_ValueError, "a record with more than 64 streets or places");
    return NULL;
out_of_order:
    Py_DECREF(house);
    PyErr_SetString(PyExc_IndexError, "a record's street type or place word before its street or place");
    return NULL;
}

/* row(i) -> the Row of row i (its id and record read from the image). */
static PyObject *Records_row(Records *self, PyObject *arg) {
    Py_ssize_t i = PyLong_AsSsize_t(arg);
    if (i == -1 && PyErr_Occurred()) return NULL;
    if (self->row == NULL) {
        PyErr_SetString(PyExc_ValueError, "Records was not initialised");
        return NULL;
    }
    Views v;
    if (acquire(self, &v) < 0) return NULL;
    PyObject *out = NULL;
    const uint64_t *words = v.b[0].buf, *offsets = v.b[1].buf, *id_offsets = v.b[3].buf;
    Py_ssize_t n_words = v.b[0].len / 8, n_rows = v.b[1].len / 8 - 1, n_ids = v.b[2].len;
    if (i < 0 || i >= n_rows || (Py_ssize_t)(v.b[3].len / 8) != n_rows + 1) {
        PyErr_SetString(PyExc_IndexError, "row out of range");
        goto done;
    }
    uint64_t a = offsets[i], b = offsets[i + 1], ia = id_offsets[i], ib = id_offsets[i + 1];
    if (a > b || b > (uint64_t)n_words || ia > ib || ib > (uint64_t)n_ids) {
        PyErr_SetString(PyExc_ValueError, "a damaged record");
        goto done;
    }
    PyObject *rid = PyUnicode_DecodeASCII((const char *)v.b[2].buf + ia, (Py_ssize_t)(ib - ia), "strict");
    if (rid == NULL) goto done;
    out = decode(self, words + a, (Py_ssize_t)(b - a), rid);
    Py_DECREF(rid);
done:
    release(&v);
    return out;
}

static PyMethodDef Records_methods[] = {
    {"row", (PyCFunction)Records_row, METH_O, "row(i) -> the record.Row of row i."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject RecordsType = { /* added to the module by _native.c */
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "mailguard.detect.register._native.Records",
    .tp_basicsize = sizeof(Records),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Records(records, offsets, ids, id_offsets, row, street, place, house, probe): rows decoded from an image.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Records_init,
    .tp_dealloc = (destructor)Records_dealloc,
    .tp_methods = Records_methods,
};
