/*
 * aws_partition.c -- the DNS suffix of the partition a region belongs to.
 */
#include "inner.h"

/* see aws/aws_int.h */
const char *
cpj_aws_dns_suffix(const char *region)
{
	/* strncmp stops at the region's NUL: a short name matches nothing */
	if (strncmp(region, "cn-", 3) == 0)
		return "amazonaws.com.cn";
	if (strncmp(region, "us-isob-", 8) == 0)
		return "sc2s.sgov.gov";
	if (strncmp(region, "us-iso-", 7) == 0)
		return "c2s.ic.gov";
	return "amazonaws.com";
}
