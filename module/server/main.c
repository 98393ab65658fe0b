/*
 * main.c -- proofline's entry point; everything is in cli.c.
 */
#include "server/cli.h"

int
main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
