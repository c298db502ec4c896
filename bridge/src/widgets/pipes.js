export { Pipes as default } from "@workos-inc/widgets/pipes";
