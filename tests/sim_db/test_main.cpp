// sim/db: Kamailio's mohqueue schema, queue rows and the write-behind call table.
#define BOOST_TEST_MODULE test_sim_db
#include <boost/test/unit_test.hpp>
