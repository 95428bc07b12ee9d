process.env.PGSAFE_TEST_PG = '18';
