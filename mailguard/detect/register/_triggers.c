/* The trigger pass's walk over digit-bearing tokens (`triggers._digit_tokens`), compiled.
 *
 * A list of postcodes has a digit-bearing token every eight characters; in Python the walk
 * costs about 2.7 us a token in finds, slices and set tests before any regex is tried (140 ms
 * per MB of such a list). Here the walk is a loop over the class bytes; the regexes are still
 * the Python ones (POSTCODE_FIND's `match`, `_phone_at`), called where the Python calls them.
 * `triggers._digit_tokens` is the definition and the fallback; the tests hold the two to the
 * same postcodes, numbers and phones. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "_native.h"

#define PHONE_MAX 16
#define TOKEN_MAX 7
#define NUMBER_MAX 6

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

static inline Py_UCS4 at(const Text *t, Py_ssize_t i) {
    return i >= 0 && i < t->n ? PyUnicode_READ(t->kind, t->data, i) : 0;
}

static inline int area_digit(Py_UCS4 c) { return c == '0' || c == '1' || c == '2' || c == '5' || c == '8'; }

static inline int outward_digit(Py_UCS4 c) {
    return (c >= '0' && c <= '9') || c == 'o' || c == 'i' || c == 'l' || c == 's' || c == 'z' || c == 'b';
}

static Py_ssize_t count_digits(const char *cls, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t k = 0;
    for (Py_ssize_t i = a; i < b; i++) k += cls[i] == '0';
    return k;
}

/* postcode(text, at): 1 and appended (and `at` remembered) when a match, 0 when none, -1 on error.
 * `*inward` gets the match's group 2 start when asked. */
static int try_postcode(PyObject *postcode, PyObject *text, Py_ssize_t at, PyObject *seen, PyObject *postcodes,
                        Py_ssize_t *inward) {
    PyObject *m = PyObject_CallFunction(postcode, "On", text, at);
    if (m == NULL) return -1;
    if (m == Py_None) {
        Py_DECREF(m);
        return 0;
    }
    PyObject *pos = PyLong_FromSsize_t(at);
    int failed = pos == NULL || PySet_Add(seen, pos) < 0 || PyList_Append(postcodes, m) < 0;
    Py_XDECREF(pos);
    if (!failed && inward != NULL) {
        PyObject *s = PyObject_CallMethod(m, "start", "i", 2);
        *inward = s == NULL ? -1 : PyLong_AsSsize_t(s);
        failed = s == NULL || (*inward == -1 && PyErr_Occurred());
        Py_XDECREF(s);
    }
    Py_DECREF(m);
    return failed ? -1 : 1;
}

static int in_seen(PyObject *seen, Py_ssize_t at) {
    PyObject *pos = PyLong_FromSsize_t(at);
    if (pos == NULL) return -1;
    int found = PySet_Contains(seen, pos);
    Py_DECREF(pos);
    return found;
}

static int append_number(PyObject *numbers, Py_ssize_t at) {
    PyObject *pos = PyLong_FromSsize_t(at);
    int failed = pos == NULL || PyList_Append(numbers, pos) < 0;
    Py_XDECREF(pos);
    return failed ? -1 : 0;
}

/* digit_tokens(text, classes, phones, postcode, phone_at, postcodes, numbers, phone_list): what
 * `triggers._digit_tokens` finds, appended to the three lists. */
PyObject *digit_tokens(PyObject *self, PyObject *args) {
    PyObject *text, *postcode, *phone_at, *postcodes, *numbers, *phone_list;
    Py_buffer cb;
    int phones;
    if (!PyArg_ParseTuple(args, "Uy*pOOO!O!O!", &text, &cb, &phones, &postcode, &phone_at, &PyList_Type, &postcodes,
                          &PyList_Type, &numbers, &PyList_Type, &phone_list))
        return NULL;
    Text t = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    const char *cls = cb.buf;
    Py_ssize_t n = cb.len;
    PyObject *seen = PySet_New(NULL);
    if (seen == NULL || n != t.n) {
        if (seen != NULL) PyErr_SetString(PyExc_ValueError, "digit_tokens(): classes must have one byte a character");
        goto fail;
    }
    Py_ssize_t pos = 0;
    for (;;) {
        const char *hit = pos < n ? memchr(cls + pos, '0', (size_t)(n - pos)) : NULL;
        if (hit == NULL) break;
        Py_ssize_t d = hit - cls, start = d, end = d;
        while (start > 0 && cls[start - 1] != ' ') start--;
        while (end < n && cls[end] != ' ') end++;
        pos = end;
        Py_ssize_t size = end - start;
        if (size > PHONE_MAX) continue;
        char lead = cls[start];
        if (phones && lead == '0' &&
            (at(&t, start) == '0' || (start > 0 && (at(&t, start - 1) == '+' || at(&t, start - 1) == '(')) ||
             (at(&t, start) == '4' && at(&t, start + 1) == '4'))) {
            PyObject *m = PyObject_CallFunction(phone_at, "On", text, start);
            if (m == NULL) goto fail;
            if (m != Py_None) {
                PyObject *e = PyObject_CallMethod(m, "end", NULL);
                Py_ssize_t me = e == NULL ? -1 : PyLong_AsSsize_t(e);
                Py_XDECREF(e);
                if (e == NULL || (me == -1 && PyErr_Occurred()) || PyList_Append(phone_list, m) < 0) {
                    Py_DECREF(m);
                    goto fail;
                }
                Py_DECREF(m);
                if (me > pos) pos = me;
                continue;
            }
            Py_DECREF(m);
        }
        if (size > TOKEN_MAX) continue;
        Py_ssize_t at_ = -1;
        if (lead != '0') {
            at_ = start;
        } else if (size == 3 && start >= 2 && at(&t, start - 1) == ' ') {
            Py_ssize_t prev = start - 1;
            while (prev > 0 && cls[prev - 1] != ' ') prev--;
            if (start - 1 - prev <= 4 && cls[prev] != '0' && cls[prev] != ' ') at_ = prev;
        }
        Py_ssize_t inward = -1;
        if (at_ >= 0) {
            int was = in_seen(seen, at_);
            if (was < 0) goto fail;
            if (!was) {
                Py_ssize_t found_inward = -1;
                int r = try_postcode(postcode, text, at_, seen, postcodes, &found_inward);
                if (r < 0) goto fail;
                if (r && at_ == start) inward = found_inward;
            }
        }
        if (at_ != start && size <= 4 && area_digit(at(&t, start)) &&
            (outward_digit(at(&t, start + 1)) || outward_digit(at(&t, start + 2))) &&
            count_digits(cls, start, end) < size) {
            int was = in_seen(seen, start);
            if (was < 0) goto fail;
            if (!was && try_postcode(postcode, text, start, seen, postcodes, NULL) < 0) goto fail;
        }
        if (size <= NUMBER_MAX && append_number(numbers, start) < 0) goto fail;
        if (inward > end && cls[inward] == '0' && at(&t, inward) != '0') {
            pos = end = inward + 3;
            if (area_digit(at(&t, inward)) && (outward_digit(at(&t, inward + 1)) || outward_digit(at(&t, inward + 2))) &&
                count_digits(cls, inward, end < n ? end : n) < 3) {
                if (try_postcode(postcode, text, inward, seen, postcodes, NULL) < 0) goto fail;
            }
            if (append_number(numbers, inward) < 0) goto fail;
        }
    }
    Py_DECREF(seen);
    PyBuffer_Release(&cb);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(seen);
    PyBuffer_Release(&cb);
    return NULL;
}
