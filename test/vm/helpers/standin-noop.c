/* standin-noop - negative control: takes migratepages' arguments, does
 * nothing, exits 0. The guest scenarios must FAIL with it. */
int main(void)
{
	return 0;
}
