#define BOOST_TEST_MODULE sim_rtpproxy_client
#include <boost/test/unit_test.hpp>
