#define BOOST_TEST_MODULE sim_queue
#include <boost/test/unit_test.hpp>
