/* The parts of the register's compiled module (`_native`), each in its own file; `_native.c`
 * adds them to the module. */
#ifndef MAILGUARD_NATIVE_H
#define MAILGUARD_NATIVE_H
#include <Python.h>

extern PyTypeObject WordSetType; /* _words.c: the trigger pass's word finder */
extern PyTypeObject RecordsType; /* _record.c: a row's record decoded into its record.Row */
PyObject *digit_tokens(PyObject *self, PyObject *args); /* _triggers.c: the walk over digit-bearing tokens */

#endif
