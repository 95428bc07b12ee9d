process.env.DDLGATE_TEST_PG = '15';
