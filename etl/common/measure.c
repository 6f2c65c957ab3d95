#include "measure.h"

#include <string.h>

static const struct measure_info measures[] = {
#define MEASURE(key, name, cls) {#key, name, cls},
#include "measure.def"
#undef MEASURE
};

#define NMEASURES (sizeof(measures) / sizeof(measures[0]))

const struct measure_info *measure_findn(const char *key, size_t len)
{
	for (size_t i = 0; i < NMEASURES; i++)
		if (strncmp(measures[i].key, key, len) == 0 && measures[i].key[len] == '\0')
			return &measures[i];
	return NULL;
}

const struct measure_info *measure_find(const char *key)
{
	return measure_findn(key, strlen(key));
}

int measure_is_amount(const char *key)
{
	const struct measure_info *m = measure_find(key);

	return m && m->cls == MEASURE_AMOUNT;
}

const char *measure_name(const char *key)
{
	const struct measure_info *m = measure_find(key);

	return m ? m->name : key;
}

const struct measure_info *measure_at(size_t i)
{
	return i < NMEASURES ? &measures[i] : NULL;
}
