/*
 * aws_partition.c -- the DNS suffix of the partition a region belongs to.
 */
#include "inner.h"

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* see aws/aws_int.h */
const char *
cpj_aws_dns_suffix(const char *region)
{
	if (has_prefix(region, "cn-"))
		return "amazonaws.com.cn";
	if (has_prefix(region, "us-isob-"))
		return "sc2s.sgov.gov";
	if (has_prefix(region, "us-iso-"))
		return "c2s.ic.gov";
	return "amazonaws.com";
}
